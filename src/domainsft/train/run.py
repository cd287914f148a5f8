"""`domainsft train`: read and check everything, set up, loop, save.

Everything that can be wrong with the inputs (config, data files, method vs hardware, target
modules) is checked before the first training step. The loop itself is plain PyTorch under an
``accelerate.Accelerator``, which supplies autocast / loss scaling and, when launched with
``accelerate launch``, DDP, FSDP or DeepSpeed — there is no hand-written distributed layer.
"""

from __future__ import annotations

import contextlib
import math
import os
import time
from dataclasses import dataclass, field
from typing import Any

import torch

from domainsft.config import TrainConfig
from domainsft.models import load_model, resolve_model
from domainsft.models.device import autocast_dtype
from domainsft.train import checkpoint, optim
from domainsft.train.attention import PACKED, set_attention
from domainsft.train.data import Conversation, Tokenized, read_conversations, tokenize
from domainsft.train.evaluate import eval_loss, generation_metric
from domainsft.train.loss import loss_sum
from domainsft.train.outputs import save_merged, save_trained, write_summary
from domainsft.train.packing import groups, pack, packed_batch, padded_batch
from domainsft.train.regularizers import Anchor, fisher_diagonal
from domainsft.train.tracking import Tracker
from domainsft.train.tuners import (
    METHODS,
    cast_frozen_linears,
    check_method,
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


@dataclass
class Counters:
    tokens: int = 0
    positions: int = 0
    seconds: float = 0.0
    window: list[tuple[int, float]] = field(default_factory=list)


def train(
    cfg: TrainConfig, *, resume: bool = False, progress: bool = True, stop_after: int | None = None
) -> dict[str, Any]:
    """Train as ``cfg`` says; returns the summary that is also written to ``out/summary.json``.

    ``stop_after``: leave after that many steps (counted from the start of the run, resumed
    steps included) with a checkpoint written, as a time-boxed session would; the schedule is
    still that of the whole run, and ``resume=True`` later goes on exactly from there.
    """
    acc = _accelerator(cfg)
    check_method(cfg, acc.device)
    inputs = _read_inputs(cfg)
    start_ckpt = _resume_point(cfg) if resume else None
    require("accelerate", "train").utils.set_seed(cfg.seed)
    model, tokenizer, info = _model(cfg, acc)
    examples, report = tokenize(
        tokenizer,
        inputs.train,
        max_length=cfg.max_length,
        train_on_prompt=cfg.train_on_prompt,
        on_bad=cfg.on_bad_example,
    )
    val = _val_examples(tokenizer, inputs.val, cfg)
    plan = _plan(examples, cfg, acc.num_processes, info["packing"], tokenizer.pad_token_id)
    anchor = _anchor(model, cfg, inputs.general, tokenizer, acc, info["packing"])
    opt = optim.optimizer(model, cfg)
    sched = optim.scheduler(opt, cfg, plan.total_steps)
    model, opt = acc.prepare(model, opt)
    step = (
        _restore(start_ckpt, acc.unwrap_model(model), opt, sched, acc, anchor) if start_ckpt else 0
    )
    tracker = (
        Tracker(cfg.out / "metrics.jsonl", cfg.report_to, step) if acc.is_main_process else None
    )
    build = _builder(examples, plan.packed, tokenizer.pad_token_id)
    counters, last = Counters(), {}
    bar = _bar(plan.total_steps, step, progress and acc.is_local_main_process)
    model.train()
    while step < plan.total_steps:
        t0 = time.perf_counter()
        units = plan.units_for(step, acc.process_index, acc.num_processes, cfg.seed)
        stats = _train_step(model, [build(u).to(acc.device) for u in units], opt, acc, cfg, anchor)
        stats["lr"] = sched.get_last_lr()[0]  # the rate this step used
        sched.step()
        step += 1
        _count(counters, stats, time.perf_counter() - t0)
        last = _log(step, stats, counters, plan, cfg, tracker, bar)
        if _due(step, cfg.eval_steps, plan.total_steps):
            last |= _evaluate(step, model, tokenizer, val, inputs.val, cfg, acc, tracker, info)
        if _due(step, cfg.save_steps, plan.total_steps) or step == stop_after:
            _save_checkpoint(step, model, opt, sched, acc, anchor, cfg, counters)
        if step == stop_after and step < plan.total_steps:
            bar.close()
            return {
                "stopped_at": step,
                "checkpoint": str(checkpoint.latest(cfg.out / "checkpoints")),
            }
    bar.close()
    if tracker:
        tracker.close()
    return _finish(model, tokenizer, cfg, acc, info, report, plan, counters, last, len(val))


# ------------------------------------------------------------------------- set up


def _accelerator(cfg: TrainConfig) -> Any:
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
    return accelerate.Accelerator(cpu=cpu, mixed_precision=mixed)


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


def _read_inputs(cfg: TrainConfig) -> Inputs:
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


def _resume_point(cfg: TrainConfig):
    path = checkpoint.latest(cfg.out / "checkpoints")
    if path is None:
        raise InputError(
            f"--resume: no complete checkpoint under {cfg.out / 'checkpoints'}; run without "
            "--resume to start fresh"
        )
    return path


def _model(cfg: TrainConfig, acc: Any) -> tuple[Any, Any, dict[str, Any]]:
    source = resolve_model(cfg.model)
    continued = source.kind == "adapter"
    if continued:
        _check_continuable(source.path)
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
    if (
        acc.mixed_precision == "bf16"
        and cfg.method in ("lora", "adapter", "prefix")
        and autocast_dtype(acc.device) == torch.bfloat16
    ):
        cast_frozen_linears(model, torch.bfloat16)
    trainable, total = count_parameters(model)
    info = {
        "packing": packing,
        "continued": continued,
        "base_model": str(source.location),
        "trainable_params": trainable,
        "total_params": total,
    }
    return model, tokenizer, info


def _check_continuable(adapter: Any) -> None:
    peft = require("peft", "train")
    if peft.PeftConfig.from_pretrained(str(adapter)).is_prompt_learning:
        raise InputError(
            f"`train.model={adapter}`: peft cannot resume training a prefix/prompt adapter; "
            "train a new one from its base model, or continue a lora/adapter (IA3) run"
        )


def _val_examples(tokenizer: Any, convs: list[Conversation], cfg: TrainConfig) -> list[Tokenized]:
    if not convs:
        return []
    examples, _ = (
        tokenize(tokenizer, convs[: cfg.eval_samples], max_length=cfg.max_length, on_bad="drop")
        if _any_usable(convs)
        else ([], None)
    )
    return examples


def _any_usable(convs: list[Conversation]) -> bool:
    return any(m["role"] == "assistant" for c in convs for m in c.messages)


def _plan(
    examples: list[Tokenized], cfg: TrainConfig, world: int, packed: bool, pad_id: int
) -> Plan:
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


def _builder(examples: list[Tokenized], packed: bool, pad_id: int):
    if packed:
        return lambda unit: packed_batch(examples, unit)
    return lambda unit: padded_batch(examples, unit, pad_id)


def _anchor(
    model: Any,
    cfg: TrainConfig,
    general: list[Conversation],
    tokenizer: Any,
    acc: Any,
    packed: bool,
) -> Anchor | None:
    if cfg.ewc > 0:
        examples, _ = tokenize(tokenizer, general, max_length=cfg.max_length, on_bad="drop")
        plan = _plan(
            examples, cfg.model_copy(update={"grad_accum": 1}), 1, packed, tokenizer.pad_token_id
        )
        build = _builder(examples, packed, tokenizer.pad_token_id)
        batches = [build(u).to(acc.device) for u in plan.units[: cfg.ewc_batches]]
        model.to(acc.device).eval()
        with acc.autocast():
            fisher = fisher_diagonal(model, batches, lambda m, b: (loss_sum(m, b), b.n_supervised))
        return Anchor(model, cfg.ewc, fisher)
    if cfg.l2sp > 0:
        return Anchor(model, cfg.l2sp)
    return None


# ------------------------------------------------------------------------- loop


def _train_step(
    model: Any, batches: list[Any], opt: Any, acc: Any, cfg: TrainConfig, anchor: Anchor | None
) -> dict[str, float]:
    local = [
        0.0,
        sum(b.n_supervised for b in batches),
        sum(b.n_tokens for b in batches),
        sum(b.n_positions for b in batches),
    ]
    # Every process divides by the step's supervised-token count over all processes, times
    # the process count since DDP averages gradients: the step's loss is then the mean over
    # all its tokens, exactly as one process with the same micro-batches accumulated.
    n_sup = _global(acc, local)[1]
    for i, batch in enumerate(batches):
        last = i == len(batches) - 1
        with contextlib.nullcontext() if last else acc.no_sync(model):
            with acc.autocast():
                part = loss_sum(model, batch, cfg.label_smoothing)
            local[0] += float(part.detach())
            loss = part * (acc.num_processes / max(n_sup, 1))
            if last and anchor is not None:
                loss = loss + anchor.penalty()
            acc.backward(loss)
    norm = acc.clip_grad_norm_(model.parameters(), cfg.max_grad_norm) if cfg.max_grad_norm else None
    opt.step()
    opt.zero_grad(set_to_none=True)
    total, n_sup, tokens, positions = _global(acc, local)
    grad_norm = float(norm) if norm is not None else None
    return {
        "loss_sum": total,
        "supervised": n_sup,
        "tokens": tokens,
        "positions": positions,
        "grad_norm": grad_norm,
    }


def _global(acc: Any, values: list[float]) -> list[float]:
    """Sums over all processes (the values themselves with one process)."""
    if acc.num_processes == 1:
        return list(values)
    t = torch.tensor(values, dtype=torch.float64, device=acc.device)
    return acc.reduce(t, reduction="sum").tolist()


def _count(c: Counters, stats: dict[str, float], seconds: float) -> None:
    c.tokens += stats["tokens"]
    c.positions += stats["positions"]
    c.seconds += seconds
    c.window = [*c.window, (stats["tokens"], seconds)][-20:]


def _log(
    step: int,
    stats: dict,
    c: Counters,
    plan: Plan,
    cfg: TrainConfig,
    tracker: Tracker | None,
    bar: Any,
) -> dict[str, Any]:
    loss = stats["loss_sum"] / max(stats["supervised"], 1)
    speed = sum(t for t, _ in c.window) / max(sum(s for _, s in c.window), 1e-9)
    record = {
        "step": step,
        "epoch": round(step / plan.steps_per_epoch, 4),
        "loss": round(loss, 6),
        "lr": stats["lr"],
        "grad_norm": stats["grad_norm"],
        "tokens_per_s": round(speed, 1),
        "token_utilisation": round(stats["tokens"] / max(stats["positions"], 1), 4),
    }
    bar.update(1)
    bar.set_postfix(loss=f"{loss:.4f}", tok_s=f"{speed:.0f}")
    if tracker and (step % cfg.log_steps == 0 or step == plan.total_steps):
        tracker.log(record)
    return record


def _due(step: int, every: int | None, total: int) -> bool:
    return step == total or (every is not None and step % every == 0)


def _evaluate(
    step: int,
    model: Any,
    tokenizer: Any,
    val: list[Tokenized],
    val_convs: list[Conversation],
    cfg: TrainConfig,
    acc: Any,
    tracker: Tracker | None,
    info: dict,
) -> dict[str, Any]:
    if not val or not acc.is_main_process:
        return {}
    inner = acc.unwrap_model(model)
    inner.eval()
    record: dict[str, Any] = {
        "step": step,
        "eval_loss": round(
            eval_loss(
                inner,
                val,
                (cfg.pack_length or cfg.max_length) if info["packing"] else None,
                tokenizer.pad_token_id,
                acc.autocast,
            ),
            6,
        ),
    }
    if cfg.eval_generate:
        record |= generation_metric(
            inner, tokenizer, val_convs[: cfg.eval_generate], cfg.eval_max_new_tokens
        )
    inner.train()
    if tracker:
        tracker.log(record)
    return record


def _save_checkpoint(
    step: int,
    model: Any,
    opt: Any,
    sched: Any,
    acc: Any,
    anchor: Anchor | None,
    cfg: TrainConfig,
    c: Counters,
) -> None:
    acc.wait_for_everyone()
    if not acc.is_main_process:
        return
    parts = {
        "trainable": checkpoint.trainable_state(acc.unwrap_model(model)),
        "optimizer": opt.state_dict(),
        "scheduler": sched.state_dict(),
        "rng": checkpoint.rng_state(),
    }
    if acc.scaler is not None:
        parts["scaler"] = acc.scaler.state_dict()
    if anchor is not None:
        parts["anchor"] = anchor.state_dict()
    state = {"step": step, "tokens": c.tokens, "positions": c.positions, "seconds": c.seconds}
    checkpoint.save(cfg.out / "checkpoints", step, parts, state, cfg.keep_checkpoints)


def _restore(path: Any, model: Any, opt: Any, sched: Any, acc: Any, anchor: Anchor | None) -> int:
    parts, state = checkpoint.load(path)
    checkpoint.load_trainable(model, parts["trainable"])
    opt.load_state_dict(parts["optimizer"])
    sched.load_state_dict(parts["scheduler"])
    if acc.scaler is not None and "scaler" in parts:
        acc.scaler.load_state_dict(parts["scaler"])
    if anchor is not None and "anchor" in parts:
        anchor.load_state_dict(parts["anchor"])
    checkpoint.set_rng_state(parts["rng"])
    return int(state["step"])


def _bar(total: int, start: int, show: bool) -> Any:
    from tqdm.auto import tqdm

    return tqdm(
        total=total, initial=start, disable=not show, unit="step", desc="train", dynamic_ncols=True
    )


# ------------------------------------------------------------------------- save


def _finish(
    model: Any,
    tokenizer: Any,
    cfg: TrainConfig,
    acc: Any,
    info: dict,
    report: Any,
    plan: Plan,
    c: Counters,
    last: dict,
    n_val: int,
) -> dict[str, Any]:
    acc.wait_for_everyone()
    summary: dict[str, Any] = {}
    if acc.is_main_process:
        inner = acc.unwrap_model(model)
        outputs = [save_trained(inner, tokenizer, cfg)]
        if cfg.merge:
            outputs.append(save_merged(outputs[0], cfg) if cfg.method != "full" else outputs[0])
        summary = {
            **info,
            "data": report.as_dict(),
            "val_examples": n_val,
            "precision": acc.mixed_precision,
            "steps": plan.total_steps,
            "epochs": plan.total_steps / plan.steps_per_epoch,
            "warmup_steps": optim.warmup_steps(plan.total_steps, cfg.warmup_ratio),
            "world_size": acc.num_processes,
            "seconds": c.seconds,
            "tokens_per_s": c.tokens / max(c.seconds, 1e-9),
            "token_utilisation": c.tokens / max(c.positions, 1),
            "final": last,
            "outputs": [str(p) for p in outputs],
        }
        write_summary(cfg, summary)
    acc.wait_for_everyone()
    return summary
