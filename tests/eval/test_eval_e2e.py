"""`domainsft eval` end to end on a tiny random model: the dataset's test split and the general
set, all three outputs written, the report rendered, runs compared, bad input refused."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from domainsft.cli import app
from tests.eval.test_report import _pixel_stats, _screenshot

runner = CliRunner()
METRICS = {
    "exact_match", "key_number_accuracy", "cot_consistency", "part_recall", "part_miss_rate",
    "citation_precision", "citation_recall", "hallucinated_number_rate", "disclaimer_ok",
    "no_forbidden_phrases", "perplexity", "unparseable_rate",
}  # fmt: skip


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    from domainsft.models.testing import tiny_llama

    return tiny_llama(tmp_path_factory.mktemp("tiny_e2e"))


def _has(output: str, message: str) -> bool:
    """Whether the CLI said ``message``, whatever the console's line wrapping did to spaces."""
    return "".join(message.split()) in "".join(output.split())


def _eval(tiny, built, corpus, out, *extra: str):
    _, dataset = built
    args = [
        "eval", "--model", str(tiny), "--data", str(dataset / "test.jsonl"),
        "--task", "test", "--task", "general", "--corpus", str(corpus),
        "--limit", "10", "--max-new-tokens", "8", "--batch-size", "4", "--out", str(out),
        "--set", "eval.mlflow=false", *extra,
    ]  # fmt: skip
    return runner.invoke(app, args)


@pytest.fixture(scope="module")
def evaluated(tiny, built, corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("eval_e2e") / "base"
    result = _eval(tiny, built, corpus, out, "--select-uncertain", "3", "--name", "base")
    assert result.exit_code == 0, result.output
    return out


def test_results_cover_every_metric_family_and_timing(evaluated):
    results = json.loads((evaluated / "results.json").read_text(encoding="utf-8"))
    assert results["name"] == "base" and set(results["tasks"]) == {
        "domainsft_test",
        "domainsft_general",
    }
    test = results["tasks"]["domainsft_test"]
    assert test["n"] == 10 and set(test["metrics"]) >= METRICS
    assert len(test["by_family"]) >= 5  # --limit spreads over the families
    assert test["metrics"]["perplexity"] > 1  # a random model finds the answers unlikely
    # every answer with a single gold gets one error category (or "correct")
    assert sum(test["errors"].values()) == test["applicable"]["exact_match"] > 0
    for key in ("p50_s", "p95_s", "tokens_per_s"):
        assert test["latency"][key] > 0
    assert 0 <= test["tokens"]["padded_share"] < 1 and test["tokens"]["truncated_share"] > 0
    general = results["tasks"]["domainsft_general"]
    assert general["suite"] == "general" and general["n"] == 10


def test_samples_hold_prompt_output_gold_and_metrics(evaluated):
    lines = (evaluated / "samples.jsonl").read_text(encoding="utf-8").splitlines()
    samples = [json.loads(line) for line in lines]
    assert len(samples) == 20
    for s in samples:
        assert s["prompt"][-1]["role"] == "user" and isinstance(s["output"], str)
        assert "exact_match" in s["metrics"] and s["n_new_tokens"] <= 8
        assert s["verdict"] in (None, "correct", "wrong", "unparseable")
    tasks = json.loads((evaluated / "uncertain_tasks.json").read_text(encoding="utf-8"))
    assert len(tasks) == 3 and all(t["data"]["answer"] is not None for t in tasks)
    assert (evaluated / "eval_config.yaml").exists()


def test_report_renders(evaluated, tmp_path):
    png = tmp_path / "report.png"
    _screenshot(evaluated / "report.html", png, tmp_path)
    stats = _pixel_stats(png)
    assert stats["drawn"] > 0.04 and stats["colours"] > 200, stats


def test_compare_two_runs(tiny, built, corpus, evaluated, tmp_path):
    again = tmp_path / "again"
    assert _eval(tiny, built, corpus, again, "--name", "again").exit_code == 0
    result = runner.invoke(
        app, ["compare", str(evaluated), str(again), "--out", str(tmp_path / "c")]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "c" / "compare.json").read_text(encoding="utf-8"))
    # greedy decoding of the same model: the same answers, no forgetting
    assert summary["forgetting"]["again"]["points"] == 0.0
    assert summary["deltas"]["again"]["domainsft_test"]["exact_match"] == 0.0
    assert "general ability kept" in result.output
    html = (tmp_path / "c" / "report.html").read_text(encoding="utf-8")
    assert "again: general ability kept within 2 points" in html  # the built-in task's name


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--task", "nosuch"], "nosuch: no such eval spec"),
        (["--option", "top_kk=3"], "--option top_kk: no task takes this option"),
        (["--option", "nonsense"], "write KEY=VALUE"),
    ],
)
def test_bad_input_stops_before_the_model_loads(tiny, built, corpus, tmp_path, extra, message):
    result = _eval(tiny, built, corpus, tmp_path / "x", *extra)
    assert result.exit_code != 0 and _has(result.output, message), result.output


def test_unknown_metric_and_bad_data_name_file_and_fix(tiny, built, corpus, tmp_path):
    spec = tmp_path / "mine.yaml"
    spec.write_text("task: mine\nmetric_list:\n  - metric: exact_matsh\n", encoding="utf-8")
    data = str(built[1] / "test.jsonl")
    args = ["eval", "--model", str(tiny), "--task", str(spec), "--data", data]
    result = runner.invoke(app, [*args, "--out", str(tmp_path / "o")])
    assert result.exit_code != 0
    assert _has(
        result.output, "mine.yaml: unknown metric 'exact_matsh'; did you mean 'exact_match'"
    )
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b'{"id": "a", "messages": [{"role": "user", "content": "\xb2\xe2"}]}\n')
    result = runner.invoke(app, ["eval", "--model", str(tiny), "--data", str(bad),
                                 "--out", str(tmp_path / "o")])  # fmt: skip
    assert result.exit_code != 0 and _has(result.output, "bad.jsonl:1: not UTF-8")
