"""Grounded examples: the prompt is the answer pipeline's own, so training sees what `ask`
and `serve` show the model."""

from __future__ import annotations

import json

from domainsft.assistant.pipeline import Assistant
from domainsft.dataset import build
from tests.dataset.conftest import dataset_config


def test_a_share_of_examples_carries_the_assistants_prompt(corpus, tmp_path):
    out = tmp_path / "d"
    build(corpus, corpus / "facts.jsonl", dataset_config(out, grounded_share=0.5, seed=3))
    rows = [json.loads(x) for x in (out / "train.jsonl").read_text("utf-8").splitlines()]
    grounded = [r for r in rows if r["meta"].get("grounded")]
    assert 0.3 * len(rows) < len(grounded) < 0.6 * len(rows)
    assistant = Assistant(corpus, None)
    for r in grounded[:20]:
        user = r["messages"][-2]["content"]
        question = user.rsplit("\n\n", 1)[1].split(":", 1)[-1].split("：", 1)[-1].strip()
        assert "<<<" in user and r["messages"][0]["role"] == "system"
        assert assistant.prompt_for(question) == r["messages"][:-1]
    again = tmp_path / "again"
    build(corpus, corpus / "facts.jsonl", dataset_config(again, grounded_share=0.5, seed=3))
    assert (again / "train.jsonl").read_bytes() == (out / "train.jsonl").read_bytes()
