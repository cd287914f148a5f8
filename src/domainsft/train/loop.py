"""The pieces of the training loop: one optimizer step, logging, evaluation, checkpoints."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

import torch

from domainsft.config import TrainConfig
from domainsft.train import checkpoint
from domainsft.train.data import Conversation, Tokenized
from domainsft.train.evaluate import eval_loss, generation_metric
from domainsft.train.loss import loss_sum
from domainsft.train.regularizers import Anchor
from domainsft.train.setup import Plan
from domainsft.train.tracking import Tracker


@dataclass
class Counters:
    tokens: int = 0
    positions: int = 0
    seconds: float = 0.0
    window: list[tuple[int, float]] = field(default_factory=list)


def train_step(
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


def count(c: Counters, stats: dict[str, float], seconds: float) -> None:
    c.tokens += stats["tokens"]
    c.positions += stats["positions"]
    c.seconds += seconds
    c.window = [*c.window, (stats["tokens"], seconds)][-20:]


def log(
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


def due(step: int, every: int | None, total: int) -> bool:
    return step == total or (every is not None and step % every == 0)


def evaluate(
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


def save_checkpoint(
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
    weights = trainable_weights(model, acc)  # a collective under FSDP / ZeRO-3: every rank
    if not acc.is_main_process:
        return
    parts = {
        "trainable": weights,
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


def sharded(acc: Any) -> bool:
    """Whether each process holds only a shard of the weights (FSDP, DeepSpeed)."""
    from accelerate.utils import DistributedType

    return acc.distributed_type in (DistributedType.FSDP, DistributedType.DEEPSPEED)


def trainable_weights(model: Any, acc: Any) -> dict[str, torch.Tensor]:
    """Full (unsharded) trainable weights; under FSDP / DeepSpeed gathered by accelerate."""
    inner = acc.unwrap_model(model)
    if not sharded(acc):
        return checkpoint.trainable_state(inner)
    full = acc.get_state_dict(model)
    names = [n for n, p in inner.named_parameters() if p.requires_grad]
    return {n: full[n].detach().cpu().clone() for n in names if n in full}


def restore(path: Any, model: Any, opt: Any, sched: Any, acc: Any, anchor: Anchor | None) -> int:
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


def progress_bar(total: int, start: int, show: bool) -> Any:
    from tqdm.auto import tqdm

    return tqdm(
        total=total, initial=start, disable=not show, unit="step", desc="train", dynamic_ncols=True
    )
