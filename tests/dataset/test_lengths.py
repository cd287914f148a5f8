"""The length histogram counts tokens of the conversation as the chat template renders it."""

from __future__ import annotations

import json
from collections import Counter

from domainsft.dataset import build
from domainsft.dataset.export import BINS, length_bin
from tests.dataset.conftest import dataset_config


def test_histogram_counts_chat_template_tokens(corpus, tmp_path):
    from domainsft.models import encode_chat, load_tokenizer
    from domainsft.models.testing import tiny_llama

    model_dir = tiny_llama(tmp_path)  # a real tokenizer with its chat template
    cfg = dataset_config(
        tmp_path / "out", tokenizer=str(model_dir), families=["info", "derived"], max_per_family=60
    )
    result = build(corpus, corpus / "facts.jsonl", cfg)

    tok = load_tokenizer(model_dir)
    every = [ex for part in result.splits.values() for ex in part]
    lengths = [len(encode_chat(tok, ex.messages, add_generation_prompt=False)) for ex in every]
    expected = Counter(length_bin(n) for n in lengths)
    hist = result.stats["length_histogram"]
    assert list(hist) == [f"<={b}" for b in BINS] + [f">{BINS[-1]}"]
    assert hist == {k: expected[k] for k in hist}
    assert sum(hist.values()) == len(every) and len(expected) > 1
    # the template's turn markers count: more than the contents alone
    ex = every[0]
    plain = len(tok("\n".join(m["content"] for m in ex.messages))["input_ids"])
    assert lengths[0] > plain

    card = (tmp_path / "out" / "card.md").read_text("utf-8")
    assert f"tokenizer {model_dir}, chat template applied" in card
    for k, v in hist.items():
        assert f"| {k} | {v} |" in card
    stats = json.loads((tmp_path / "out" / "stats.json").read_text("utf-8"))
    assert stats["length_histogram"] == hist
