"""Loading local directories and PEFT adapters, with the precision and gradients asked for."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from domainsft.models import generate, load_model, load_tokenizer


def test_trainable_fp32_by_default(tiny_bpe_dir: Path) -> None:
    model, tok = load_model(tiny_bpe_dir)
    params = list(model.parameters())
    assert all(p.requires_grad and p.dtype == torch.float32 for p in params)
    assert not model.training and tok.pad_token_id is not None


def test_frozen_bf16_for_inference(tiny_bpe_dir: Path) -> None:
    model, _ = load_model(tiny_bpe_dir, dtype="bfloat16", trainable=False)
    assert all(not p.requires_grad and p.dtype == torch.bfloat16 for p in model.parameters())


def test_auto_dtype_is_fp32_for_training_and_native_half_for_inference(
    tiny_bpe_dir: Path,
) -> None:
    from domainsft.models import autocast_dtype

    trained, _ = load_model(tiny_bpe_dir, dtype="auto")
    served, _ = load_model(tiny_bpe_dir, dtype="auto", trainable=False)
    assert trained.dtype == torch.float32
    assert served.dtype == (autocast_dtype("cpu") or torch.float32)


def test_unknown_dtype_lists_the_valid_ones(tiny_bpe_dir: Path) -> None:
    with pytest.raises(ValueError, match="bfloat16"):
        load_model(tiny_bpe_dir, dtype="int3")


def test_tokenizer_alone(tiny_bpe_dir: Path) -> None:
    assert load_tokenizer(tiny_bpe_dir).chat_template


def test_adapter_dir_loads_onto_its_base(tiny_bpe_dir: Path, tmp_path: Path) -> None:
    peft = pytest.importorskip("peft")
    base, tok = load_model(tiny_bpe_dir)
    lora = peft.get_peft_model(base, peft.LoraConfig(r=2, target_modules=["q_proj", "v_proj"]))
    lora.save_pretrained(tmp_path / "adapter")
    model, tok2 = load_model(tmp_path / "adapter", trainable=False)
    assert isinstance(model, peft.PeftModel)
    assert not any(p.requires_grad for p in model.parameters())
    prompt = [[{"role": "user", "content": "hi"}]]
    # LoRA's B starts at zero, so the adapted model still answers like its base
    ours = generate(model, tok2, prompt, max_new_tokens=4, autocast=False)[0].text
    assert ours == generate(base, tok, prompt, max_new_tokens=4, autocast=False)[0].text


def test_trainable_adapter_trains_only_the_adapter(tiny_bpe_dir: Path, tmp_path: Path) -> None:
    peft = pytest.importorskip("peft")
    base, _ = load_model(tiny_bpe_dir)
    lora = peft.get_peft_model(base, peft.LoraConfig(r=2, target_modules=["q_proj"]))
    lora.save_pretrained(tmp_path / "adapter")
    model, _ = load_model(tmp_path / "adapter", trainable=True)
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert trainable and all("lora_" in n for n in trainable)
