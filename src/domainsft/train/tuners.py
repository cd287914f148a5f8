"""Fine-tuning methods, all through peft (cf. PEFT's one-folder-per-tuner registry).

``METHODS`` maps a config name to a function that turns a loaded model into the model to
train. Checks that need the model (a target module it lacks, QLoRA without CUDA) raise
``InputError`` naming the config key and the fix, before any training step runs.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from typing import Any

import torch

from domainsft.config import TrainConfig
from domainsft.train.methods import METHODS as NAMES
from domainsft.utils.imports import require
from domainsft.utils.jsonl import InputError

_LAYER = re.compile(r"\.layers\.(\d+)\.")


def linear_names(model: torch.nn.Module) -> list[str]:
    """Distinct leaf names of the Linear layers inside the transformer blocks."""
    names = {
        n.rsplit(".", 1)[-1]
        for n, m in model.named_modules()
        if isinstance(m, torch.nn.Linear) and _LAYER.search(n + ".")
    }
    return sorted(names)


def check_targets(model: torch.nn.Module, targets: list[str] | str) -> None:
    if targets == "all-linear":
        return
    present = linear_names(model)
    for name in targets:
        if name not in present:
            close = difflib.get_close_matches(name, present, n=1)
            hint = f"did you mean `{close[0]}`? " if close else ""
            raise InputError(
                f"`train.lora.target_modules`: the model has no module {name!r}; {hint}its "
                f"linear layers are {', '.join(present)} (or use 'all-linear')"
            )


def _lora_config(cfg: TrainConfig) -> Any:
    peft = require("peft", "train")
    return peft.LoraConfig(
        r=cfg.lora.r,
        lora_alpha=cfg.lora.alpha,
        lora_dropout=cfg.lora.dropout,
        target_modules=cfg.lora.target_modules,
        task_type="CAUSAL_LM",
    )


def lora(model: Any, cfg: TrainConfig) -> Any:
    check_targets(model, cfg.lora.target_modules)
    return require("peft", "train").get_peft_model(model, _lora_config(cfg))


def qlora(model: Any, cfg: TrainConfig) -> Any:
    """The base arrives 4-bit quantized (see ``quantization``); LoRA on top, as in QLoRA."""
    peft = require("peft", "train")
    model = peft.prepare_model_for_kbit_training(
        model, use_gradient_checkpointing=cfg.gradient_checkpointing
    )
    return lora(model, cfg)


def full(model: Any, cfg: TrainConfig) -> Any:
    model.requires_grad_(True)
    return model


def prefix(model: Any, cfg: TrainConfig) -> Any:
    peft = require("peft", "train")
    config = peft.PrefixTuningConfig(task_type="CAUSAL_LM", num_virtual_tokens=cfg.prefix_tokens)
    return peft.get_peft_model(model, config)


def adapter(model: Any, cfg: TrainConfig) -> Any:
    """IA3: learned rescaling of keys, values and the MLP's down projection (Liu et al. 2022)."""
    peft = require("peft", "train")
    present = linear_names(model)
    attn = [m for m in ("k_proj", "v_proj") if m in present]
    ff = [m for m in ("down_proj",) if m in present]
    if not attn and not ff:
        raise InputError(
            "`train.method=adapter` (IA3) needs k_proj/v_proj/down_proj layers; this model has "
            f"{', '.join(present)}; use `train.method=lora` with `train.lora.target_modules`"
        )
    config = peft.IA3Config(task_type="CAUSAL_LM", target_modules=attn + ff, feedforward_modules=ff)
    return peft.get_peft_model(model, config)


# One function per name of ``methods.METHODS``, found by name.
METHODS: dict[str, Callable[[Any, TrainConfig], Any]] = {name: globals()[name] for name in NAMES}


def check_method(cfg: TrainConfig, device: torch.device) -> None:
    """What can be known before loading the model."""
    if cfg.method == "qlora":
        if device.type != "cuda":
            raise InputError(
                f"`train.method=qlora` needs a CUDA GPU (bitsandbytes 4-bit kernels); this run "
                f"is on {device.type}. Use `train.method=lora` here (same adapter, fp32/bf16 base)"
            )
        require("bitsandbytes", "qlora")


def quantization(cfg: TrainConfig) -> Any:
    """BitsAndBytes 4-bit NF4 settings for QLoRA, else None."""
    if cfg.method != "qlora":
        return None
    transformers = require("transformers", "train")
    return transformers.BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_use_double_quant=True,
        bnb_4bit_compute_dtype=torch.bfloat16,
    )


def layer_index(name: str) -> int | None:
    m = _LAYER.search(name)
    return int(m.group(1)) if m else None


def freeze_lowest(model: torch.nn.Module, n: int) -> int:
    """Freeze parameters of layers 0..n-1 (and the embeddings); returns how many tensors."""
    frozen = 0
    for name, p in model.named_parameters():
        i = layer_index(name)
        if p.requires_grad and ((i is not None and i < n) or (n > 0 and "embed_tokens" in name)):
            p.requires_grad_(False)
            frozen += 1
    return frozen


def count_parameters(model: torch.nn.Module) -> tuple[int, int]:
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return trainable, sum(p.numel() for p in model.parameters())
