"""The runner: a killed evaluation resumes from its stored answers; one sample whose scoring
fails is reported on that sample while the rest of the run completes."""

from __future__ import annotations

import json

import pytest

from domainsft.eval import metrics as metrics_pkg
from domainsft.eval.items import PageTexts
from domainsft.eval.runner import EvalJob, build_items, resolve_tasks, run, spread
from domainsft.eval.spec import load_spec
from domainsft.models.backends import LocalBackend


class Killed(RuntimeError):
    pass


class CountingBackend(LocalBackend):
    """The real tiny model; counts prompts and can die after some chunks, as a kill would."""

    def __init__(self, path, die_after: int | None = None):
        super().__init__(str(path), batch_size=2, dtype="float32")
        self.prompts, self.calls, self.die_after = 0, 0, die_after

    def generate(self, prompts, gen, progress=True):
        if self.die_after is not None and self.calls >= self.die_after:
            raise Killed("killed")
        self.calls += 1
        self.prompts += len(prompts)
        return super().generate(prompts, gen, progress)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    from domainsft.models.testing import tiny_llama

    return tiny_llama(tmp_path_factory.mktemp("tiny_runner"))


def _job(built, out):
    specs = resolve_tasks(["test"], built[1] / "test.jsonl")
    specs[0].max_new_tokens = 4
    info = {"model": "tiny"}
    return EvalJob(tasks=specs, out=out, name="r", limit=40, model_info=info, mlflow=False)


def test_a_killed_run_resumes_with_only_the_missing_answers(tiny, built, tmp_path):
    out = tmp_path / "run"
    with pytest.raises(Killed):  # chunks are 2 x 2 = 4 prompts: the kill comes after 4
        run(_job(built, out), CountingBackend(tiny, die_after=1))
    stored = (out / "answers" / "domainsft_test.jsonl").read_text().splitlines()
    assert len(stored) == 4
    again = CountingBackend(tiny)
    results = run(_job(built, out), again)
    assert again.prompts == 40 - 4 and results["tasks"]["domainsft_test"]["n"] == 40
    third = CountingBackend(tiny)
    run(_job(built, out), third)
    assert third.prompts == 0  # everything stored: nothing generated
    fresh = CountingBackend(tiny)
    run(_job(built, tmp_path / "fresh"), fresh)
    ours, theirs = (
        [json.loads(x)["output"] for x in (folder / "samples.jsonl").read_text().splitlines()]
        for folder in (out, tmp_path / "fresh")
    )
    assert ours == theirs  # resumed answers are the answers an uninterrupted run gives


def test_a_failing_metric_is_reported_on_its_sample(tiny, built, tmp_path, monkeypatch):
    real = metrics_pkg.METRICS["exact_match"]

    def fragile(item, output, env):
        if item.family == "claim":
            raise ValueError("odd output")
        return real.fn(item, output, env)

    monkeypatch.setitem(metrics_pkg.METRICS, "exact_match", real.__class__(
        "exact_match", fragile, True, real.description))  # fmt: skip
    results = run(_job(built, tmp_path / "m"), CountingBackend(tiny))
    task = results["tasks"]["domainsft_test"]
    samples = [json.loads(x) for x in (tmp_path / "m" / "samples.jsonl").read_text().splitlines()]
    bad = [s for s in samples if s.get("metric_error")]
    assert bad and all(s["family"] == "claim" for s in bad)
    assert task["metric_errors"] == len(bad) and task["n"] == 40
    assert all("ValueError: odd output" in s["metric_error"] for s in bad)


def test_limit_spreads_over_families(built):
    spec = load_spec("test")
    spec.data = built[1] / "test.jsonl"
    items = build_items(spec, None, {})
    picked = spread(items, 12)
    assert len(picked) == 12
    families = {i.family for i in items}
    assert {i.family for i in picked} == families or len(families) > 12
    assert [i.id for i in picked] == [i.id for i in items if i in picked]  # file order kept
    assert spread(items, None) == items and PageTexts().get("x", 1) is None
