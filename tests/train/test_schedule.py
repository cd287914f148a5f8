import itertools
import math

import pytest
import torch

from domainsft.config import TrainConfig
from domainsft.train import optim


def test_warmup_then_cosine_to_min_lr():
    cfg = TrainConfig(lr=1e-4, min_lr=1e-5, warmup_ratio=0.04)
    total = 100
    warm = optim.warmup_steps(total, cfg.warmup_ratio)
    assert warm == 4  # 3-5 % of the steps
    opt = torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1))], lr=cfg.lr)
    sched = optim.scheduler(opt, cfg, total)
    lrs = []
    for _ in range(total):
        lrs.append(sched.get_last_lr()[0])
        opt.step()
        sched.step()
    assert (
        lrs[0] < lrs[1] < lrs[2] < lrs[3] < lrs[4] == pytest.approx(1e-4)
    )  # warmup rises to the peak
    assert all(a >= b for a, b in itertools.pairwise(lrs[4:]))  # then only decays
    assert lrs[-1] == pytest.approx(1e-5, rel=0.01)  # ends at min_lr
    mid = 4 + (total - 4) // 2
    assert lrs[mid] == pytest.approx(
        1e-5 + (1e-4 - 1e-5) * 0.5 * (1 + math.cos(math.pi * 0.5)), rel=0.02
    )


def test_min_lr_above_lr_is_rejected():
    with pytest.raises(ValueError, match="min_lr must not exceed lr"):
        TrainConfig(lr=1e-5, min_lr=1e-4)


def test_layer_wise_decay_gives_lower_layers_smaller_rates(tiny_model):
    from domainsft.models import load_model

    model, _ = load_model(str(tiny_model))
    cfg = TrainConfig(lr=1e-3, min_lr=1e-5, layer_lr_decay=0.5)
    groups = optim.param_groups(model, cfg)
    rate = {id(p): g["lr"] for g in groups for p in g["params"]}
    named = dict(model.named_parameters())
    top = rate[id(named["model.layers.1.self_attn.q_proj.weight"])]
    low = rate[id(named["model.layers.0.self_attn.q_proj.weight"])]
    emb = rate[id(named["model.embed_tokens.weight"])]
    assert (
        top == pytest.approx(1e-3) and low == pytest.approx(5e-4) and emb == pytest.approx(2.5e-4)
    )
    # norms get no weight decay
    norm = next(g for g in groups if any(p is named["model.norm.weight"] for p in g["params"]))
    assert norm["weight_decay"] == 0.0
