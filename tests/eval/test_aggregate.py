"""Aggregation, comparison/forgetting and the active-learning export, on records built here."""

from __future__ import annotations

import json

import pytest

from domainsft.eval import aggregate
from domainsft.eval.active import export_uncertain, least_confident
from domainsft.eval.compare import compare, forgetting
from domainsft.eval.tracking import flat_metrics
from domainsft.utils.jsonl import InputError


def _sample(i: int, verdict: str | None, family: str = "lookup", **kw) -> dict:
    return {
        "task": "test", "id": f"s{i}", "family": family, "lang": "en",
        "prompt": [{"role": "user", "content": f"question {i}"}], "output": f"answer {i}",
        "reference": "ref", "gold": {"id": f"s{i}", "answer": "1"}, "verdict": verdict,
        "reason": "value" if verdict == "wrong" else "", "latency_s": float(i),
        "n_prompt_tokens": 10, "n_new_tokens": 5, "n_pad_tokens": 2,
        "finish_reason": "length" if i == 0 else "stop", "mean_logprob": -0.1 * i,
        "metrics": {"exact_match": 1.0 if verdict == "correct" else 0.0, "part_recall": None},
    } | kw  # fmt: skip


def test_means_skip_not_applicable_and_percentiles_interpolate():
    samples = [_sample(i, v) for i, v in enumerate(["correct", "wrong", "unparseable", "correct"])]
    samples[0]["metrics"]["part_recall"] = 0.5
    means, applicable = aggregate.metric_means(samples)
    assert means["exact_match"] == 0.5 and applicable["exact_match"] == 4
    assert means["part_recall"] == 0.5 and means["part_miss_rate"] == 0.5
    assert applicable["part_recall"] == 1 and means["unparseable_rate"] == 0.25
    assert aggregate.percentile([1, 2, 3, 4], 50) == 2.5
    assert aggregate.percentile([0, 10], 95) == 9.5
    assert aggregate.error_categories(samples) == {"correct": 2, "wrong:value": 1, "unparseable": 1}
    lat = aggregate.latency(samples, wall_s=2.0)
    assert lat["p50_s"] == 1.5 and lat["tokens_per_s"] == 10.0
    tokens = aggregate.token_use(samples)
    assert tokens["truncated_share"] == 0.25 and tokens["padded_share"] == round(8 / 68, 4)


def _results(name: str, general_em: float, test_em: float) -> dict:
    return {
        "name": name, "model": {"model": name}, "tasks": {
            "test": {"n": 4, "suite": "dataset", "metrics": {"exact_match": test_em}},
            "general": {"n": 4, "suite": "general", "metrics": {"exact_match": general_em}},
        },
    }  # fmt: skip


def test_forgetting_verdicts():
    kept = forgetting(_results("base", 0.50, 0.1), _results("ft", 0.49, 0.8))
    assert kept["kept"] and kept["points"] == -1.0 and "kept" in kept["verdict"]
    dropped = forgetting(_results("base", 0.50, 0.1), _results("ft", 0.40, 0.8))
    assert not dropped["kept"] and dropped["verdict"] == "general ability dropped by 10.00 points"
    better = forgetting(_results("base", 0.125, 0.1), _results("ft", 0.2083, 0.8))
    assert better["kept"] and better["verdict"] == "general ability kept (improved by 8.33 points)"


def test_compare_writes_deltas_forgetting_and_report(tmp_path):
    folders = []
    for name, g, t in (("base", 0.5, 0.1), ("ft", 0.45, 0.8)):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "results.json").write_text(json.dumps(_results(name, g, t)))
        (folder / "samples.jsonl").write_text(json.dumps(_sample(1, "correct")) + "\n")
        folders.append(folder)
    summary = compare(folders, tmp_path / "cmp")
    assert summary["deltas"]["ft"]["test"]["exact_match"] == pytest.approx(0.7)
    assert summary["forgetting"]["ft"]["points"] == -5.0
    html = (tmp_path / "cmp" / "report.html").read_text(encoding="utf-8")
    assert "base" in html and "ft" in html
    with pytest.raises(InputError, match="at least two"):
        compare(folders[:1], tmp_path / "cmp")
    with pytest.raises(InputError, match=r"no results\.json"):
        compare([folders[0], tmp_path], tmp_path / "cmp")


def test_least_confident_go_to_label_studio(tmp_path):
    samples = [_sample(i, "correct") for i in range(5)] + [_sample(9, None, mean_logprob=None)]
    chosen = least_confident(samples, 2)
    assert [s["id"] for s in chosen] == ["s4", "s3"]
    info = export_uncertain(samples, 2, tmp_path / "uncertain.json")
    tasks = json.loads((tmp_path / "uncertain.json").read_text())
    assert info["tasks"] == 2 and tasks[0]["data"]["question"] == "question 4"
    assert tasks[0]["data"]["answer"] == "answer 4" and tasks[0]["data"]["confidence"] == "-0.400"
    config = (tmp_path / "uncertain.label_config.xml").read_text()
    assert "$question" in config and "$answer" in config


def test_flat_metrics_for_mlflow():
    flat = flat_metrics({"tasks": {"t": {"metrics": {"exact_match": 0.5, "x": None},
                                          "latency": {"p50_s": 1.0}}}})  # fmt: skip
    assert flat == {"t.exact_match": 0.5, "t.latency.p50_s": 1.0}


def test_mlflow_logs_metrics_params_and_files(tmp_path, monkeypatch):
    mlflow = pytest.importorskip("mlflow", reason="pip install -e '.[mlflow]'")
    from domainsft.eval.tracking import log_mlflow

    monkeypatch.setenv("MLFLOW_TRACKING_URI", (tmp_path / "mlruns").as_uri())
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")  # no database server in a test
    (tmp_path / "results.json").write_text("{}", encoding="utf-8")
    results = _results("ft", 0.5, 0.8)
    assert log_mlflow(results, tmp_path) is True
    runs = mlflow.search_runs(search_all_experiments=True, output_format="list")
    assert len(runs) == 1
    run = runs[0]
    assert run.data.metrics["test.exact_match"] == 0.8 and run.data.params["model"] == "ft"
    files = [a.path for a in mlflow.artifacts.list_artifacts(run_id=run.info.run_id)]
    assert "results.json" in files
    assert log_mlflow(results, tmp_path, enabled=False) is False


def test_mlflow_failure_warns_and_returns(tmp_path, monkeypatch, caplog):
    pytest.importorskip("mlflow", reason="pip install -e '.[mlflow]'")
    from domainsft.eval.tracking import log_mlflow

    monkeypatch.setenv("MLFLOW_TRACKING_URI", "nosuchscheme://nowhere")
    assert log_mlflow(_results("ft", 0.5, 0.8), tmp_path) is False
    assert "MLflow logging failed" in caplog.text and "eval.mlflow=false" in caplog.text


def test_perplexity_is_averaged_geometrically():
    samples = [_sample(i, "correct") for i in range(3)]
    for s, ppl in zip(samples, (2.0, 8.0, 1e9), strict=True):
        s["metrics"]["perplexity"] = ppl
    means, _ = aggregate.metric_means(samples)
    assert means["perplexity"] == pytest.approx((2.0 * 8.0 * 1e9) ** (1 / 3), rel=1e-4)
