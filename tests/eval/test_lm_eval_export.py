"""Exported tasks run in lm-evaluation-harness itself and give domainsft's own answers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from domainsft.cli import app
from domainsft.eval.lm_eval_export import MODULE
from domainsft.eval.spec import load_spec

runner = CliRunner()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    from domainsft.models.testing import tiny_llama

    return tiny_llama(tmp_path_factory.mktemp("tiny_lm_eval"))


def test_export_writes_docs_yaml_and_module(built, tmp_path):
    out = tmp_path / "tasks"
    data = str(built[1] / "test.jsonl")
    args = ["eval", "--task", "test", "--task", "general", "--data", data, "--limit", "5"]
    result = runner.invoke(app, [*args, "--export-lm-eval", str(out)])
    assert result.exit_code == 0, result.output
    raw = (out / "domainsft_test.yaml").read_text(encoding="utf-8")
    assert f"process_results: !function '{MODULE}.process_results'" in raw
    loaded = load_spec(out / "domainsft_test.yaml")  # our own loader reads what we export
    assert loaded.name == "domainsft_test" and "citation_precision" in loaded.metrics
    docs = [json.loads(x) for x in (out / "domainsft_test.jsonl").read_text().splitlines()]
    assert len(docs) == 5 and all(d["question"] and d["answer"] is not None for d in docs)
    assert (out / f"{MODULE}.py").exists()
    assert yaml.safe_load((out / "domainsft_general.jsonl").read_text().splitlines()[0])["lang"]


def _lm_eval() -> str:
    """The lm_eval command: skipped here when missing, a failure in CI (make setup installs it)."""
    found = shutil.which("lm_eval") or str(Path(sys.executable).with_name("lm_eval"))
    if not Path(found).exists():
        if os.environ.get("CI"):
            pytest.fail("lm_eval is missing: pip install -e '.[lmeval]' (make setup does)")
        pytest.skip("lm-eval not installed (pip install -e '.[lmeval]')")
    return found


def test_lm_eval_runs_the_export_with_the_same_outputs(tiny, tmp_path):
    """Same prompts (the tokenizer's chat template, the system turn from `description`), same
    greedy tokens: domainsft eval in fp32 and lm_eval give identical answers."""
    tasks, ours, theirs = tmp_path / "tasks", tmp_path / "ours", tmp_path / "theirs"
    common = ["--task", "general", "--limit", "6", "--max-new-tokens", "12"]
    assert runner.invoke(app, ["eval", *common, "--export-lm-eval", str(tasks)]).exit_code == 0
    result = runner.invoke(
        app,
        ["eval", "--model", str(tiny), *common, "--batch-size", "1", "--out", str(ours),
         "--set", "eval.dtype=float32", "--set", "eval.mlflow=false"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    cmd = [
        _lm_eval(), "--model", "hf", "--model_args", f"pretrained={tiny},dtype=float32",
        "--include_path", str(tasks), "--tasks", "domainsft_general", "--apply_chat_template",
        "--device", "cpu", "--gen_kwargs", "max_gen_toks=12", "--log_samples",
        "--output_path", str(theirs),
    ]  # fmt: skip
    env = {**os.environ, "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "exact_match" in proc.stdout
    logged = next(theirs.rglob("samples_domainsft_general_*.jsonl"))
    lm_outputs = {}
    for line in logged.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        lm_outputs[rec["doc"]["id"]] = rec["resps"][0][0]
    our_outputs = {
        s["id"]: s["output"]
        for s in map(json.loads, (ours / "samples.jsonl").read_text().splitlines())
    }
    assert len(lm_outputs) == 6 and lm_outputs == our_outputs
