"""The feedback loop end to end: a served adapter answers a grounded question, a user posts a
correction, ``build-dataset --feedback-only`` turns the log into an example that is exactly the
prompt the model saw plus the correction, and ``train --model <served adapter>`` continues that
adapter on it into a new one that loads on the same base, beside the old one, as ``serve
--adapter v2=…`` would load it."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import torch
from typer.testing import CliRunner

from domainsft.cli import app
from domainsft.corpus import load_facts
from domainsft.dataset.feedback import company_splits
from domainsft.dataset.render import value_text
from tests.serve.conftest import make_server, serving

openai = pytest.importorskip("openai")


def _train_company_revenue(corpus: Path) -> Any:
    """A revenue fact of a zh company the default split keeps in train (feedback about a
    val/test company is held out of train, by design)."""
    facts = load_facts(corpus)
    where = company_splits(facts, 0.1, 0.1, 0)
    return next(
        f for f in facts
        if f.metric == "revenue" and f.lang == "zh" and f.fiscal_year == f.report_year
        and f.scope != "parent" and where[f.company] == "train"
    )  # fmt: skip


def _post(url: str, body: dict) -> dict:
    req = urllib.request.Request(f"{url}/v1/feedback", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})  # fmt: skip
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read())


def _weights(adapter: Path) -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    return load_file(adapter / "adapter_model.safetensors")


def _cli(*args: str) -> str:
    res = CliRunner().invoke(app, list(args))
    assert res.exit_code == 0, res.output
    return res.output


def test_served_feedback_trains_the_served_adapter_further(tiny_with_adapters, corpus, tmp_path):
    base, v1, _ = tiny_with_adapters
    fact = _train_company_revenue(corpus)
    who = f"{fact.company_short}{fact.fiscal_year}年"
    question = f"{who}的营业收入是多少？"
    right = f"根据年报，{who}营业收入为{value_text(fact, 'zh')}（第{fact.page}页）。"
    wrong = f"{who}营业收入为1.00亿元（第{fact.page}页）。"
    logs = tmp_path / "logs"
    server = make_server(base, corpus, {"v1": v1}, log_dir=logs, weights={"v1": 1.0})
    with serving(server) as url:
        client = openai.OpenAI(base_url=f"{url}/v1", api_key="none", max_retries=0, timeout=120)
        ask = [{"role": "user", "content": question}]
        served = client.chat.completions.create(model="domainsft", messages=ask)
        again = client.chat.completions.create(model="domainsft", messages=ask)
        _post(url, {"response_id": served.id, "rating": -1, "correction": right})
        _post(url, {"response_id": again.id, "rating": -1, "correction": wrong})
    assert served.model_extra["version"] == "v1"
    log = logs / "feedback.jsonl"
    record = next(json.loads(x) for x in log.read_text("utf-8").splitlines()
                  if json.loads(x)["response_id"] == served.id)  # fmt: skip
    prompt = record["prompt"]  # what the model was given: as many tokens as the server counted
    from domainsft.models import load_tokenizer
    from domainsft.models.generation import encode_prompt

    assert len(encode_prompt(load_tokenizer(str(base)), prompt)) == served.usage.prompt_tokens
    assert "<<<年报摘录开始>>>" in prompt[-1]["content"] and question in prompt[-1]["content"]

    data = tmp_path / "fb"
    said = _cli("build-dataset", "--corpus", str(corpus), "--feedback", str(log),
                "--feedback-only", "--out", str(data))  # fmt: skip
    assert "1 kept" in " ".join(said.split())
    (line,) = (data / "train.jsonl").read_text("utf-8").splitlines()
    example = json.loads(line)
    assert example["messages"] == [*prompt, {"role": "assistant", "content": right}]
    assert example["meta"]["response_id"] == served.id and example["meta"]["version"] == "v1"
    (rejected,) = [
        json.loads(x) for x in (data / "feedback_rejects.jsonl").read_text().splitlines()
    ]
    assert rejected["response_id"] == again.id and "1.00亿元 contradicts" in rejected["detail"]

    out = tmp_path / "v2"
    _cli("train", "--data", str(data / "train.jsonl"), "--model", str(v1), "--out", str(out),
         "--set", "train.val_data=null", "--set", "train.max_steps=2", "--set", "train.lr=5e-3",
         "--set", "train.max_length=8192", "--set", "train.eval_steps=null",
         "--set", "train.eval_generate=0", "--set", "train.save_steps=null",
         "--set", "train.precision=fp32")  # fmt: skip
    v2 = out / "adapter"
    old, new = _weights(v1), _weights(v2)
    assert old.keys() == new.keys() and any(not torch.equal(old[k], new[k]) for k in old)
    config = json.loads((v2 / "adapter_config.json").read_text())
    made = json.loads((v1 / "adapter_config.json").read_text())
    assert config["base_model_name_or_path"] == made["base_model_name_or_path"]
    assert (config["r"], config["lora_alpha"]) == (made["r"], made["lora_alpha"]) == (4, 16)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["continued"] and summary["base_model"] == made["base_model_name_or_path"]

    from domainsft.serve.versions import LocalVersions

    both = LocalVersions(str(base), {"v1": v1, "v2": v2}, dtype="float32")  # as serve loads them
    try:
        assert both.names == ["base", "v1", "v2"]
    finally:
        both.close()
