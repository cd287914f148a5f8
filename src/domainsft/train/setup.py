"""Setting up a training run: accelerator and precision, inputs, model and method, the plan.

Everything here runs before the first step, so every input error surfaces before compute.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any

import torch

from domainsft.config import TrainConfig
from domainsft.models import load_model, resolve_model
from domainsft.models.device import autocast_dtype
from domainsft.models.source import adapter_base
from domainsft.train import checkpoint
from domainsft.train.attention import PACKED, set_attention
from domainsft.train.data import Conversation, Tokenized, read_conversations, tokenize
from domainsft.train.loss import loss_sum
from domainsft.train.packing import groups, pack, packed_batch, padded_batch
from domainsft.train.regularizers import Anchor, fisher_diagonal
from domainsft.train.tuners import (
    METHODS,
    count_parameters,
    freeze_lowest,
    quantization,
)
from domainsft.utils.imports import require
from domainsft.utils.jsonl import InputError


@dataclass
class Inputs:
    train: list[Conversation]
    val: list[Conversation]
    general: list[Conversation]


@dataclass
class Plan:
    """Micro-batches (``units``: a packed row or a padded group of example indices) and steps."""

    units: list[list[int]]
    packed: bool
    steps_per_epoch: int
    total_steps: int
    per_step: int  # micro-batches per optimizer step over all processes

    def units_for(self, step: int, rank: int, world: int, seed: int) -> list[list[int]]:
        epoch, k = divmod(step, self.steps_per_epoch)
        order = torch.randperm(
            len(self.units), generator=torch.Generator().manual_seed(seed + epoch)
        )
        picks = range(k * self.per_step, (k + 1) * self.per_step)
        if world == 1:  # the last step of an epoch may be short
            picks = range(picks.start, min(picks.stop, len(order)))
        chunk = [int(order[i % len(order)]) for i in picks]  # several processes: wrap around
        return [self.units[i] for i in chunk[rank::world]]


def accelerator(cfg: TrainConfig) -> Any:
    accelerate = require("accelerate", "train")
    cpu = cfg.device == "cpu" or (
        cfg.device == "auto"
        and not (torch.cuda.is_available() or torch.backends.mps.is_available())
    )
    if cfg.device.startswith("cuda:"):
        raise InputError(
            "`train.device`: pick the GPU with CUDA_VISIBLE_DEVICES and set `train.device=cuda`"
        )
    device = torch.device("cpu" if cpu else ("cuda" if torch.cuda.is_available() else "mps"))
    if cfg.device == "cuda" and not torch.cuda.is_available():
        raise InputError(
            "`train.device=cuda` but no CUDA GPU is visible; use `train.device=auto` or `cpu`"
        )
    mixed = _precision(cfg.precision, device)
    if int(os.environ.get("WORLD_SIZE", "1")) == 1:
        # accelerate keeps its state per process; a second run in one process (a notebook,
        # tests) may use other precision settings, which that state would refuse
        accelerate.state.AcceleratorState._reset_state(reset_partial_state=True)
    acc = accelerate.Accelerator(cpu=cpu, mixed_precision=mixed)
    plugin = getattr(acc.state, "deepspeed_plugin", None)
    if plugin is not None:
        # no DataLoader goes through prepare(): DeepSpeed learns the micro-batch (one packed
        # row or group) and the accumulation from here; untested here (no GPU, no deepspeed)
        plugin.deepspeed_config["train_micro_batch_size_per_gpu"] = 1
        plugin.deepspeed_config["gradient_accumulation_steps"] = cfg.grad_accum
    return acc


def _precision(name: str, device: torch.device) -> str:
    """accelerate's mixed_precision value for ``train.precision`` on ``device``."""
    native = autocast_dtype(device)
    if name == "auto":
        return {torch.bfloat16: "bf16", torch.float16: "fp16"}.get(native, "no")
    if name == "fp16" and device.type != "cuda":
        raise InputError(
            f"`train.precision=fp16` needs a CUDA GPU (loss scaling); this run is on "
            f"{device.type}: use bf16, fp32 or auto"
        )
    if name == "bf16" and device.type == "cuda" and not torch.cuda.is_bf16_supported():
        raise InputError(
            "`train.precision=bf16`: this GPU has no bf16; use fp16 (with loss scaling) or auto"
        )
    return {"bf16": "bf16", "fp16": "fp16", "fp32": "no"}[name]


def read_inputs(cfg: TrainConfig) -> Inputs:
    train = read_conversations(cfg.data)
    val = (
        read_conversations(cfg.val_data)
        if cfg.val_data is not None and cfg.val_data.exists()
        else []
    )
    general: list[Conversation] = []
    if cfg.ewc > 0:
        general = (
            read_conversations(cfg.ewc_data)
            if cfg.ewc_data
            else [c for c in train if c.meta.get("is_replay")]
        )
        if not general:
            raise InputError(
                f"`train.ewc={cfg.ewc}` needs general-domain data for the Fisher: set "
                "`train.ewc_data` to a JSONL of general conversations, or build the dataset "
                f"with replay (no example in {cfg.data} has meta.is_replay)"
            )
    if cfg.merge and cfg.method == "prefix":
        raise InputError(
            "`train.merge=true`: prefix tuning cannot be merged into the weights; set "
            "merge=false or use lora"
        )
    return Inputs(train, val, general)


def resume_point(cfg: TrainConfig):
    path = checkpoint.latest(cfg.out / "checkpoints")
    if path is None:
        raise InputError(
            f"--resume: no complete checkpoint under {cfg.out / 'checkpoints'}; run without "
            "--resume to start fresh"
        )
    return path


def model(cfg: TrainConfig, acc: Any) -> tuple[Any, Any, dict[str, Any]]:
    source = resolve_model(cfg.model)
    continued = source.kind == "adapter"
    adapter = _check_continuable(source.path, cfg) if continued else None
    model, tokenizer = load_model(
        cfg.model,
        dtype="float32",
        device="cpu" if cfg.method != "qlora" else str(acc.device),
        trainable=cfg.method == "full" or continued,
        quantization_config=quantization(cfg),
    )
    if cfg.gradient_checkpointing:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    if not continued:
        model = METHODS[cfg.method](model, cfg)
    freeze_lowest(model, cfg.freeze_layers)
    packing = cfg.packing and cfg.method != "prefix"
    if packing:
        set_attention(model, PACKED)
    trainable, total = count_parameters(model)
    info = {
        "packing": packing,
        "continued": continued,
        "base_model": adapter_base(source) if continued else str(source.location),
        "trainable_params": trainable,
        "total_params": total,
    }
    if adapter is not None:
        info["continued_from"] = {"adapter": str(source.location), **adapter}
    return model, tokenizer, info


# What an adapter's own config says about how it was made, for the card (train.lora does not
# apply to a continued adapter: it keeps its rank, targets and scaling).
_ADAPTER_KEYS = ("peft_type", "r", "lora_alpha", "lora_dropout", "target_modules")
_NOT_CONTINUED = {
    "full": "fine-tune the whole base instead",
    "prefix": "train a new prefix instead",
    "qlora": "need its base reloaded in 4 bits, which continued training does not do",
}


def _check_continuable(adapter: Any, cfg: TrainConfig) -> dict[str, Any]:
    """Continued training goes on with the adapter as it is (its own LoRA or IA3 config, its
    weights trainable, the base it names underneath): methods that would make something else
    of it are refused. Returns the adapter's settings."""
    peft = require("peft", "train")
    config = peft.PeftConfig.from_pretrained(str(adapter))
    if config.is_prompt_learning:
        raise InputError(
            f"`train.model={adapter}`: peft cannot resume training a prefix/prompt adapter; "
            "train a new one from its base model, or continue a lora/adapter (IA3) run"
        )
    if cfg.method in _NOT_CONTINUED:
        raise InputError(
            f"`train.model={adapter}` is an adapter, which continued training trains further as "
            f"it is; `train.method={cfg.method}` would {_NOT_CONTINUED[cfg.method]}. Use "
            "`train.method=lora` (or `adapter` for IA3), or pass its base model to start anew"
        )
    settings = {k: getattr(config, k, None) for k in _ADAPTER_KEYS}
    settings["peft_type"] = str(getattr(settings["peft_type"], "value", settings["peft_type"]))
    if isinstance(settings["target_modules"], set):
        settings["target_modules"] = sorted(settings["target_modules"])
    return {k: v for k, v in settings.items() if v is not None}


def val_examples(tokenizer: Any, convs: list[Conversation], cfg: TrainConfig) -> list[Tokenized]:
    """Up to ``eval_samples`` validation examples; unusable ones are skipped, not fatal."""
    try:
        examples, _ = tokenize(
            tokenizer, convs[: cfg.eval_samples], max_length=longest(cfg), on_bad="drop"
        )
    except InputError:  # none of them has an answer to score
        return []
    return examples


def longest(cfg: TrainConfig) -> int:
    """Longest example in tokens: ``max_length``, or a packed row if that is shorter."""
    if cfg.packing and cfg.method != "prefix" and cfg.pack_length:
        return min(cfg.max_length, cfg.pack_length)
    return cfg.max_length


def make_plan(examples: list[Tokenized], cfg: TrainConfig, world: int, packed: bool) -> Plan:
    lengths = [len(e.input_ids) for e in examples]
    units = (
        pack(lengths, cfg.pack_length or cfg.max_length)
        if packed
        else groups(lengths, cfg.batch_size)
    )
    per_step = cfg.grad_accum * world
    spe = math.ceil(len(units) / per_step)
    total = cfg.max_steps or max(1, math.ceil(cfg.epochs * spe))
    return Plan(units, packed, spe, total, per_step)


def batch_builder(examples: list[Tokenized], packed: bool, pad_id: int):
    if packed:
        return lambda unit: packed_batch(examples, unit)
    return lambda unit: padded_batch(examples, unit, pad_id)


def anchor(
    model: Any,
    cfg: TrainConfig,
    general: list[Conversation],
    tokenizer: Any,
    acc: Any,
    packed: bool,
) -> Anchor | None:
    if cfg.ewc > 0:
        examples, _ = tokenize(tokenizer, general, max_length=longest(cfg), on_bad="drop")
        plan = make_plan(examples, cfg.model_copy(update={"grad_accum": 1}), 1, packed)
        build = batch_builder(examples, packed, tokenizer.pad_token_id)
        batches = [build(u).to(acc.device) for u in plan.units[: cfg.ewc_batches]]
        model.to(acc.device).eval()
        with acc.autocast():
            fisher = fisher_diagonal(model, batches, lambda m, b: (loss_sum(m, b), b.n_supervised))
        return Anchor(model, cfg.ewc, fisher)
    if cfg.l2sp > 0:
        return Anchor(model, cfg.l2sp)
    return None
