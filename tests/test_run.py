"""`domainsft run` on a tiny configuration: every stage into one folder, then what a second run
skips, what `--from` and a changed setting re-run, how a failure and an interruption end and
resume, and `ask --run` / `serve --run` on the finished run.

Four reports (2 companies x zh/en, one year, no scans: a split needs three companies), a tiny
random Llama, two training steps and two items per eval task keep one full run near 15 s. Each
test that changes the run works on a copy of the first run; the run uses relative paths from
its working folder, so a copy's stage records are the original's and a copy skips alike.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from domainsft.cli import app
from domainsft.config import load_recipe
from domainsft.run.headline import render
from domainsft.run.stages import NAMES

os.environ.setdefault("HF_HUB_OFFLINE", "1")

RECIPE = """\
# domainsft run tiny.yaml --out run   (a run small enough for a test)
samples: {{companies: 2, years: "2022", lang: both, scanned_pages: 0, seed: 0}}
ingest: {{workers: 1, ocr: never}}
dataset: {{max_per_family: 4, val_share: 0.25, test_share: 0.25, replay_share: 0}}
train:
  model: {model}
  max_steps: 2
  pack_length: 1024
  max_length: 4096
  on_bad_example: drop
  eval_steps: null
  eval_generate: 0
  eval_samples: 4
  save_steps: 1
eval:
  tasks: [test, general]
  assistant: [grounded, verified]
  limit: 2
  max_new_tokens: 8
  batch_size: 4
  dtype: float32
  mlflow: false
assistant: {{max_new_tokens: 8, dtype: float32}}
"""
RUN = ["run", "tiny.yaml", "--out", "run"]
AFTER_DATASET = NAMES[NAMES.index("build-dataset") :]


def _run(*extra: str):
    return CliRunner().invoke(app, [*RUN, *extra])


def _statuses(root: Path) -> dict[str, str]:
    summary = json.loads((root / "run" / "summary.json").read_text(encoding="utf-8"))
    return {name: s["status"] for name, s in summary["stages"].items()}


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object, float]:
    """The first run: (working folder, CLI result, seconds)."""
    from domainsft.models.testing import tiny_llama

    model = tiny_llama(tmp_path_factory.mktemp("run-model"), vocab_from="bpe")
    root = tmp_path_factory.mktemp("run-first")
    (root / "tiny.yaml").write_text(RECIPE.format(model=model), encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        start = time.perf_counter()
        result = _run()
        seconds = time.perf_counter() - start
    assert result.exit_code == 0, result.output
    return root, result, seconds


@pytest.fixture
def copy(first, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the first run's working folder, made the working folder."""
    root = tmp_path / "work"
    shutil.copytree(first[0], root)
    monkeypatch.chdir(root)
    return root


def test_one_run_leaves_every_artifact(first):
    root, result, _ = first
    run = root / "run"
    for rel in [
        "reports/manifest.json", "corpus/pages.jsonl", "corpus/facts.jsonl",
        "dataset/train.jsonl", "dataset/val.jsonl", "dataset/test.jsonl",
        "dataset/provenance.json", "train/adapter/adapter_config.json", "train/summary.json",
        "eval/base/results.json", "eval/base/samples.jsonl", "eval/tuned/results.json",
        "eval/tuned/report.html", "compare/compare.json", "compare/report.html",
        *(f"logs/{name}.log" for name in NAMES),
    ]:  # fmt: skip
        assert (run / rel).is_file(), rel
    config = load_recipe(run / "config.yaml")  # the resolved recipe loads as a recipe
    assert config.train.out == Path("run/train") and config.eval.corpus == Path("run/corpus")
    assert config.serve.adapters == ["tuned=run/train/adapter"]

    summary = json.loads((run / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "ok" and list(summary["stages"]) == NAMES
    for s in summary["stages"].values():
        assert s["status"] == "ran" and s["seconds"] >= 0 and s["outputs"]
    tuned = json.loads((run / "eval/tuned/results.json").read_text(encoding="utf-8"))
    assert tuned["model"]["adapter"] == "run/train/adapter"
    assert {"domainsft_test+grounded", "domainsft_test+verified"} <= set(tuned["tasks"])
    assert "domainsft_general" in tuned["tasks"]  # the general set: the model alone
    assert not any(t.startswith("domainsft_general+") for t in tuned["tasks"])

    results = json.loads((run / "results.json").read_text(encoding="utf-8"))
    assert summary["results"] == results
    assert {r["mode"] for r in results["rows"]} == {"model", "grounded", "verified"}
    assert len({r["family"] for r in results["rows"]}) > 1  # per family, not only overall
    assert results["forgetting"]["task"] == "domainsft_general"
    base = json.loads((run / "eval/base/results.json").read_text(encoding="utf-8"))
    row = next(r for r in results["rows"] if (r["task"], r["mode"], r["family"])
               == ("domainsft_test", "model", "all"))  # fmt: skip
    assert row["exact_match"]["base"] == base["tasks"]["domainsft_test"]["metrics"]["exact_match"]
    # what the command printed is results.json, figure for figure
    assert result.stdout.splitlines() == render(results)


def test_a_second_run_skips_every_stage(first, copy):
    start = time.perf_counter()
    result = _run()
    seconds = time.perf_counter() - start
    assert result.exit_code == 0, result.output
    assert set(_statuses(copy).values()) == {"skipped"}
    assert seconds < max(first[2] / 3, 5), (seconds, first[2])
    assert result.stdout == first[1].stdout


def test_from_train_reruns_train_and_what_follows(copy):
    result = _run("--from", "train")
    assert result.exit_code == 0, result.output
    statuses = _statuses(copy)
    i = NAMES.index("train")
    assert [statuses[n] for n in NAMES[:i]] == ["skipped"] * i
    assert [statuses[n] for n in NAMES[i:]] == ["ran"] * (len(NAMES) - i)


def test_a_changed_dataset_setting_reruns_from_build_dataset(copy):
    result = _run("--set", "dataset.seed=1")
    assert result.exit_code == 0, result.output
    statuses = _statuses(copy)
    assert [statuses[n] for n in ("sample-reports", "ingest", "facts")] == ["skipped"] * 3
    assert [statuses[n] for n in AFTER_DATASET] == ["ran"] * len(AFTER_DATASET)
    summary = json.loads((copy / "run/summary.json").read_text(encoding="utf-8"))
    assert summary["stages"]["build-dataset"]["reason"] == "config changed"


def test_a_failing_stage_names_itself_its_error_and_its_log(copy):
    with (copy / "run/corpus/facts.jsonl").open("a", encoding="utf-8") as fh:
        fh.write("{not json\n")  # an edited facts file: facts is skipped, the dataset reads it
    result = _run()
    assert result.exit_code == 1
    said = " ".join(result.stderr.split())
    assert "stage build-dataset failed" in said and "facts.jsonl:" in said
    assert "run/logs/build-dataset.log" in said
    summary = json.loads((copy / "run/summary.json").read_text(encoding="utf-8"))
    failed = summary["stages"]["build-dataset"]
    assert summary["status"] == "failed" and failed["status"] == "failed"
    assert "facts.jsonl:" in failed["error"] and "invalid JSON" in failed["error"]
    assert summary["stages"]["train"]["reason"] == "not reached: build-dataset failed"
    assert "InputError" in (copy / "run/logs/build-dataset.log").read_text(encoding="utf-8")


def test_an_interrupted_training_resumes_from_its_checkpoint(copy, monkeypatch):
    import domainsft.train.run as train_run

    real = train_run.save_checkpoint

    def save_then_stop(step, *args, **kwargs):
        real(step, *args, **kwargs)
        if step == 1:
            raise KeyboardInterrupt

    monkeypatch.setattr(train_run, "save_checkpoint", save_then_stop)
    command = ("--set", "train.max_steps=3")
    result = _run(*command)
    assert result.exit_code == 130, result.output
    assert _statuses(copy)["train"] == "failed"
    monkeypatch.setattr(train_run, "save_checkpoint", real)

    result = _run(*command)  # the same command again
    assert result.exit_code == 0, result.output
    summary = json.loads((copy / "run/summary.json").read_text(encoding="utf-8"))
    assert summary["stages"]["train"]["note"].endswith("(resumed)")
    assert "(resuming)" in (copy / "run/logs/train.log").read_text(encoding="utf-8")
    trained = json.loads((copy / "run/train/summary.json").read_text(encoding="utf-8"))
    assert trained["steps"] == 3


def test_an_interrupted_eval_keeps_the_answers_it_had(copy, monkeypatch):
    import domainsft.eval.runner as runner

    real, calls = runner.run_task, []

    def stop_on_second_task(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(runner, "run_task", stop_on_second_task)
    assert _run("--from", "eval-tuned").exit_code == 130
    answers = copy / "run/eval/tuned/answers/domainsft_test.jsonl"
    stored = answers.read_text(encoding="utf-8")
    monkeypatch.setattr(runner, "run_task", real)

    result = _run("--from", "eval-tuned")
    assert result.exit_code == 0, result.output
    # reused, not generated again: a new answer would be appended with its own timing
    assert answers.read_text(encoding="utf-8") == stored
    assert _statuses(copy)["eval-base"] == "skipped"


def test_why_a_stage_runs_and_what_from_takes():
    from domainsft.run.pipeline import stage_index
    from domainsft.run.records import why

    old = {"domainsft": "1", "config_sha256": "a", "inputs": {"pages": {"sha256": "x"}}}
    assert why(None, old, True) == "no earlier run"
    assert why(old, old, True) == "unchanged"
    assert why(old, old, False) == "outputs missing"
    assert why(old, old | {"config_sha256": "b"}, True) == "config changed"
    changed = old | {"inputs": {"pages": {"sha256": "y"}, "facts": {"sha256": "z"}}}
    assert why(old, changed, True) == "inputs changed: facts, pages"
    assert stage_index("eval") == NAMES.index("eval-base")  # both evaluations
    assert stage_index("dataset") == NAMES.index("build-dataset")


def test_bad_from_names_the_stages(copy):
    result = _run("--from", "trian")
    assert result.exit_code == 2
    assert "did you mean `train`" in " ".join(result.output.split())


def _question(run: Path) -> str:
    for line in (run / "dataset/train.jsonl").read_text(encoding="utf-8").splitlines():
        ex = json.loads(line)
        if ex["meta"]["family"] == "lookup" and not ex["meta"].get("with_context"):
            return ex["messages"][-2]["content"]
    raise AssertionError("no lookup example")


def test_ask_run_uses_the_runs_corpus_and_adapter(first):
    run = first[0] / "run"
    question = _question(run)
    result = CliRunner().invoke(app, ["ask", "--run", str(run), "--draft-only", "--json", question])
    assert result.exit_code == 0, result.output
    reply = json.loads(result.stdout)
    assert reply["verified"] and reply["citations"]
    assert all(c["source"].startswith("run/reports/") for c in reply["citations"])

    result = CliRunner().invoke(app, ["ask", "--run", str(run), "--json", question])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["model"] == str(run / "train/adapter")


def test_ask_run_on_a_folder_that_is_no_run(tmp_path):
    result = CliRunner().invoke(app, ["ask", "--run", str(tmp_path), "--draft-only", "?"])
    assert result.exit_code == 2
    assert "not a run folder" in " ".join(result.output.split())


def test_serve_run_serves_base_and_tuned(first, monkeypatch):
    import domainsft.serve.launch as launch

    served = []
    monkeypatch.setattr(launch, "run", served.append)
    result = CliRunner().invoke(app, ["serve", "--run", str(first[0] / "run")])
    assert result.exit_code == 0, result.output
    server = served[0]
    try:
        assert server.versions.names == ["base", "tuned"]
        assert server.assistant is not None  # grounded on the run's corpus
    finally:
        server.versions.close()


def test_real_reports_beside_the_sampled_ones_with_their_own_test_split(copy):
    """``run.reports`` with ``run.sample: true``: ingest reads the given reports and the sampled
    ones; ``dataset.test_sources`` makes the given reports' companies the test split."""
    from domainsft.config import SamplesConfig
    from domainsft.records import read_facts
    from domainsft.samples import generate

    generate(SamplesConfig(out=copy / "real", companies=1, years="2022", lang="zh",
                           scanned_pages=0, seed=7))  # fmt: skip
    recipe = (copy / "tiny.yaml").read_text(encoding="utf-8")
    recipe = recipe.replace("replay_share: 0}", 'replay_share: 0, test_sources: ["real/*"]}')
    (copy / "tiny.yaml").write_text(recipe + "run: {reports: [real], sample: true}\n", "utf-8")
    result = _run()
    assert result.exit_code == 0, result.output
    statuses = _statuses(copy)
    assert statuses["sample-reports"] == "skipped" and statuses["ingest"] == "ran"
    facts = read_facts(copy / "run/corpus/facts.jsonl")
    sources = {Path(f.source).parent.as_posix() for f in facts}
    assert sources == {"real", "run/reports"}
    real = {f.company for f in facts if f.source.startswith("real/")}
    test = [json.loads(line) for line in (copy / "run/dataset/test.jsonl").open(encoding="utf-8")]
    assert test and {ex["meta"]["company"] for ex in test if ex["meta"]["doc_ids"]} == real
    summary = json.loads((copy / "run/summary.json").read_text(encoding="utf-8"))
    assert summary["reports"] == ["real", "run/reports"]
