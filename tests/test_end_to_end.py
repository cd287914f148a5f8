"""The README's main job through the CLI on a small corpus: reports -> facts -> dataset ->
training with the real default model (two steps, then a resume to a third)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from domainsft.cli import app

pytestmark = pytest.mark.slow


def _ok(args: list[str]) -> str:
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    return res.output


def test_demo_chain_through_the_cli(tmp_path):
    reports, corpus, dataset = tmp_path / "reports", tmp_path / "corpus", tmp_path / "dataset"
    _ok(
        [
            "sample-reports",
            "--out",
            str(reports),
            "--companies",
            "1",
            "--years",
            "2022-2023",
            "--scanned-pages",
            "1",
            "--seed",
            "5",
        ]
    )
    _ok(["ingest", str(reports), "--out", str(corpus), "--workers", "2"])
    _ok(["facts", str(corpus), "--out", str(corpus / "facts.jsonl")])
    # a small replay share bounds the first run's self-distillation (answers are cached after)
    build = ["build-dataset", "--corpus", str(corpus), "--out", str(dataset), "--seed", "0"]
    _ok([*build, "--set", "dataset.replay_share=0.05"])
    out = _ok(["check-provenance", str(dataset), "--corpus", str(corpus)])
    assert "0 failed" in out

    stats = json.loads((corpus / "ingest_stats.json").read_text(encoding="utf-8"))
    assert stats["files_ingested"] == 4 and stats["ocr_pages"] == 4 and stats["rejects"] == 0
    facts = [json.loads(x) for x in (corpus / "facts.jsonl").read_text("utf-8").splitlines()]
    assert {f["metric"] for f in facts} >= {"revenue", "total_assets", "net_profit"}
    train = [json.loads(x) for x in (dataset / "train.jsonl").read_text("utf-8").splitlines()]
    assert train and all(ex["messages"][-1]["role"] == "assistant" for ex in train)
    assert all(
        {"family", "lang", "doc_ids", "pages", "fact_ids"} <= set(ex["meta"]) for ex in train
    )

    run = tmp_path / "train"
    common = ["--data", str(dataset / "train.jsonl"), "--out", str(run), "--model", "default"]
    settings = [
        f"train.val_data={dataset / 'val.jsonl'}",
        "train.pack_length=512",
        "train.on_bad_example=drop",  # answers longer than a 512-token row are dropped, counted
        "train.eval_generate=1",
        "train.eval_max_new_tokens=16",
        "train.save_steps=1",
        "train.keep_checkpoints=1",
    ]
    sets = [x for s in settings for x in ("--set", s)]
    _ok(["train", *common, *sets, "--set", "train.max_steps=2"])
    assert (run / "adapter" / "adapter_model.safetensors").exists()
    assert (run / "training_card.md").exists()
    metrics = [json.loads(x) for x in (run / "metrics.jsonl").read_text("utf-8").splitlines()]
    assert [m["step"] for m in metrics if "loss" in m] == [1, 2]
    assert any("eval_loss" in m for m in metrics)

    _ok(["train", *common, *sets, "--set", "train.max_steps=3", "--resume"])
    metrics = [json.loads(x) for x in (run / "metrics.jsonl").read_text("utf-8").splitlines()]
    assert 3 in {m["step"] for m in metrics if "loss" in m}
    assert json.loads((run / "summary.json").read_text("utf-8"))["steps"] == 3
