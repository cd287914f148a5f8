"""AdamW with layer-wise learning-rate decay, and warmup + cosine decay to ``min_lr``."""

from __future__ import annotations

import math

import torch

from domainsft.config import TrainConfig
from domainsft.train.tuners import layer_index


def num_layers(model: torch.nn.Module) -> int:
    found = [layer_index(n) for n, _ in model.named_parameters()]
    return max((i for i in found if i is not None), default=-1) + 1


def layer_scale(name: str, n_layers: int, decay: float) -> float:
    """lr multiplier: the top layer learns at lr, each one below at ``decay`` times that.

    Embeddings count as the layer below layer 0; the final norm and LM head as the top.
    (Layer-wise decay as in ELECTRA / BEiT fine-tuning.)
    """
    if decay == 1.0:
        return 1.0
    i = layer_index(name)
    if i is None:
        i = -1 if "embed" in name else n_layers - 1
    return decay ** (n_layers - 1 - i)


def param_groups(model: torch.nn.Module, cfg: TrainConfig) -> list[dict]:
    n = num_layers(model)
    groups: dict[tuple[float, float], list[torch.nn.Parameter]] = {}
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        no_decay = p.ndim < 2  # norms and biases: weight decay would only shrink them
        key = (layer_scale(name, n, cfg.layer_lr_decay), 0.0 if no_decay else cfg.weight_decay)
        groups.setdefault(key, []).append(p)
    return [
        {"params": ps, "lr": cfg.lr * scale, "lr_scale": scale, "weight_decay": wd}
        for (scale, wd), ps in sorted(groups.items(), key=lambda kv: kv[0])
    ]


def optimizer(model: torch.nn.Module, cfg: TrainConfig) -> torch.optim.Optimizer:
    groups = param_groups(model, cfg)
    if not groups:
        raise ValueError("the model has no trainable parameters")
    return torch.optim.AdamW(groups, lr=cfg.lr, betas=(0.9, 0.999), eps=1e-8)


def warmup_steps(total: int, ratio: float) -> int:
    return math.ceil(total * ratio) if ratio > 0 else 0


def lr_factor(step: int, total: int, warmup: int, floor: float) -> float:
    """Multiplier of the peak lr at ``step`` (0-based): linear warmup, then cosine to ``floor``."""
    if step < warmup:
        return (step + 1) / (warmup + 1)
    span = max(1, total - warmup)
    progress = min(1.0, (step - warmup) / span)
    return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress))


def scheduler(
    opt: torch.optim.Optimizer, cfg: TrainConfig, total: int
) -> torch.optim.lr_scheduler.LambdaLR:
    warm = warmup_steps(total, cfg.warmup_ratio)
    floor = cfg.min_lr / cfg.lr
    return torch.optim.lr_scheduler.LambdaLR(opt, lambda s: lr_factor(s, total, warm, floor))
