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


def test_the_recipes_assistant_section_shapes_the_grounded_prompts(corpus, tmp_path):
    from domainsft.config import AssistantConfig
    from domainsft.dataset.build import record_inputs

    short = AssistantConfig(max_chars=150, top_k=1)
    out = tmp_path / "short"
    cfg = dataset_config(out, grounded_share=0.5, seed=3)
    build(corpus, corpus / "facts.jsonl", cfg, assistant=short)
    rows = [json.loads(x) for x in (out / "train.jsonl").read_text("utf-8").splitlines()]
    grounded = [r for r in rows if r["meta"].get("grounded")]
    assert grounded
    pipeline = Assistant(corpus, None, short)
    for r in grounded[:20]:
        user = r["messages"][-2]["content"]
        question = user.rsplit("\n\n", 1)[1].split(":", 1)[-1].split("：", 1)[-1].strip()
        assert pipeline.prompt_for(question) == r["messages"][:-1]
    default = tmp_path / "default"
    build(corpus, corpus / "facts.jsonl", dataset_config(default, grounded_share=0.5, seed=3))
    size = lambda d: (d / "train.jsonl").stat().st_size  # noqa: E731
    assert size(out) < size(default)
    record = json.loads((out / "dataset_manifest.json").read_text("utf-8"))
    assert record["inputs"]["grounding"] == {
        "path": "assistant:top_k=1,max_chars=150",
        "sha256": "value:assistant:top_k=1,max_chars=150",
    }
    assert (
        record_inputs(corpus, corpus / "facts.jsonl", cfg, short)["grounding"]
        != (record_inputs(corpus, corpus / "facts.jsonl", cfg)["grounding"])
    )
