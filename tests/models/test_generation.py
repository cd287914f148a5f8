"""Batched generation: left padding must not change any answer, and the bookkeeping is exact."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch

from domainsft.models import generate, load_model
from domainsft.models.generation import _answer_length, encode_prompt, left_pad
from domainsft.models.testing import tiny_llama

PROMPTS: list[Any] = [
    [{"role": "user", "content": "What was revenue in 2023?"}],
    [{"role": "user", "content": "hi"}],
    "The company reported",  # a raw completion prompt, no chat template
    [
        {"role": "system", "content": "Be brief and cite pages."},
        {"role": "user", "content": "资产负债率是多少？请引用页码。"},
    ],
]
NEW = 12


def test_batched_equals_one_by_one(tiny: tuple[Any, Any]) -> None:
    """Greedy answers must not depend on batch mates: left padding, masks and positions."""
    model, tok = tiny
    batched = generate(model, tok, PROMPTS, max_new_tokens=NEW, batch_size=4, autocast=False)
    for prompt, together in zip(PROMPTS, batched, strict=True):
        alone = generate(model, tok, [prompt], max_new_tokens=NEW, autocast=False)[0]
        assert together.text == alone.text
        assert together.n_new_tokens == alone.n_new_tokens
        assert together.mean_logprob == pytest.approx(alone.mean_logprob, abs=1e-4)


def test_results_keep_the_callers_order_and_counts(tiny_bpe: tuple[Any, Any]) -> None:
    model, tok = tiny_bpe
    results = generate(model, tok, PROMPTS, max_new_tokens=NEW, batch_size=3, progress=False)
    assert [r.n_prompt_tokens for r in results] == [len(encode_prompt(tok, p)) for p in PROMPTS]
    for r in results:
        assert 1 <= r.n_new_tokens <= NEW and r.seconds > 0 and r.mean_logprob <= 0
        assert r.finish_reason in {"stop", "length"}


def test_mean_logprob_matches_a_forward_pass(tiny_bpe: tuple[Any, Any]) -> None:
    model, tok = tiny_bpe
    prompt = encode_prompt(tok, PROMPTS[0])
    result = generate(model, tok, [PROMPTS[0]], max_new_tokens=NEW, autocast=False)[0]
    new = list(result.token_ids)
    assert len(new) == result.n_new_tokens
    assert tok.decode(new, skip_special_tokens=True) == result.text
    ids = torch.tensor([prompt + new])
    with torch.inference_mode():
        logprobs = torch.log_softmax(model(ids).logits[0, len(prompt) - 1 : -1].float(), -1)
    expected = logprobs.gather(1, torch.tensor(new)[:, None]).mean().item()
    assert result.mean_logprob == pytest.approx(expected, abs=1e-4)


def test_stop_string_cuts_the_answer(tiny_bpe: tuple[Any, Any]) -> None:
    model, tok = tiny_bpe
    full = generate(model, tok, [PROMPTS[0]], max_new_tokens=NEW, autocast=False)[0].text
    stop = full[len(full) // 2 : len(full) // 2 + 2]
    assert stop.strip(), f"need a visible stop string in {full!r}"
    cut = generate(model, tok, [PROMPTS[0]], max_new_tokens=NEW, stop=[stop], autocast=False)[0]
    assert cut.text == full[: full.index(stop)]
    assert cut.finish_reason == "stop"


def test_sampling_is_reproducible_with_a_seed(tiny_bpe: tuple[Any, Any]) -> None:
    model, tok = tiny_bpe
    runs = [
        generate(model, tok, PROMPTS[:2], max_new_tokens=NEW, temperature=1.0, seed=7)
        for _ in range(2)
    ]
    assert [r.text for r in runs[0]] == [r.text for r in runs[1]]


def test_models_own_generation_defaults_do_not_leak(tmp_path: Path) -> None:
    """A hub generation_config with penalties must not change our greedy decoding."""
    # Llama's usual init makes greedy decoding repeat one token, which penalties would forbid.
    model, tok = load_model(tiny_llama(tmp_path, "bpe", init_range=0.02), trainable=False)
    plain = generate(model, tok, PROMPTS[:2], max_new_tokens=NEW, autocast=False)
    assert any(len(set(r.token_ids)) < len(r.token_ids) for r in plain)
    model.generation_config.update(repetition_penalty=5.0, no_repeat_ngram_size=1)
    tuned = generate(model, tok, PROMPTS[:2], max_new_tokens=NEW, autocast=False)
    assert [r.token_ids for r in tuned] == [r.token_ids for r in plain]


def test_training_mode_is_restored(tiny_bpe: tuple[Any, Any]) -> None:
    model, tok = tiny_bpe
    model.train()
    try:
        generate(model, tok, [PROMPTS[1]], max_new_tokens=2)
        assert model.training
    finally:
        model.eval()


def test_bf16_autocast_runs(tiny_bpe: tuple[Any, Any]) -> None:
    model, tok = tiny_bpe
    result = generate(model, tok, PROMPTS[:2], max_new_tokens=4, autocast=True)
    assert all(r.n_new_tokens == 4 or r.finish_reason == "stop" for r in result)


def test_no_prompts_no_work(tiny_bpe: tuple[Any, Any]) -> None:
    assert generate(*tiny_bpe, []) == []


def test_empty_prompt_is_refused(tiny_bpe: tuple[Any, Any]) -> None:
    with pytest.raises(ValueError, match="prompt 1 encodes to no tokens"):
        generate(*tiny_bpe, ["ok", ""])


def test_left_pad() -> None:
    ids, mask = left_pad([[5, 6, 7], [8]], pad_id=0)
    assert ids.tolist() == [[5, 6, 7], [0, 0, 8]]
    assert mask.tolist() == [[1, 1, 1], [0, 0, 1]]


@pytest.mark.parametrize(
    ("tokens", "expected"),
    [
        ([4, 5, 2, 2, 2], (3, True)),  # eos, then eos used as padding
        ([4, 5, 2, 9, 9], (3, True)),  # eos, then padding
        ([4, 5, 6, 9, 9], (3, True)),  # a stop string ended it, padding follows
        ([4, 5, 6, 7, 8], (5, False)),  # ran out of tokens
    ],
)
def test_answer_length(tokens: list[int], expected: tuple[int, bool]) -> None:
    assert _answer_length(tokens, frozenset({2}), pad_id=9) == expected
