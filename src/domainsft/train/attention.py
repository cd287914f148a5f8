"""Attention for packed rows: each example attends only to itself, with no quadratic waste.

A packed row holds several examples back to back. A dense block-diagonal mask would make every
layer compute (and then discard) attention between unrelated examples, and it pushes SDPA off
its fused causal kernel. Instead, the row's segment boundaries travel with the forward call
(``cu_seq_lens_q``, the names flash-attention's varlen path uses in transformers) and attention
runs once per segment with ``is_causal=True``. It is registered through transformers'
``AttentionInterface``, so the model code stays transformers' own.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch
import torch.nn.functional as F

PACKED = "domainsft_packed"


def packed_sdpa(
    module: torch.nn.Module,
    query: torch.Tensor,  # [batch=1, heads, tokens, head_dim]
    key: torch.Tensor,  # [1, kv_heads, tokens, head_dim]
    value: torch.Tensor,
    attention_mask: torch.Tensor | None,
    dropout: float = 0.0,
    scaling: float | None = None,
    cu_seq_lens_q: torch.Tensor | None = None,
    **kwargs: Any,
) -> tuple[torch.Tensor, None]:
    if cu_seq_lens_q is None or attention_mask is not None:
        from transformers.integrations.sdpa_attention import sdpa_attention_forward

        return sdpa_attention_forward(
            module, query, key, value, attention_mask, dropout=dropout, scaling=scaling, **kwargs
        )
    if query.shape[0] != 1 or key.shape[2] != query.shape[2]:
        raise ValueError("packed attention expects one packed row and no cache (batch size 1)")
    gqa = query.shape[1] != key.shape[1]
    bounds = cu_seq_lens_q.tolist()
    parts = [
        F.scaled_dot_product_attention(
            query[:, :, a:b],
            key[:, :, a:b],
            value[:, :, a:b],
            dropout_p=dropout,
            is_causal=True,
            scale=scaling,
            enable_gqa=gqa,
        )
        for a, b in itertools.pairwise(bounds)
        if b > a
    ]
    out = torch.cat(parts, dim=2) if len(parts) > 1 else parts[0]
    return out.transpose(1, 2).contiguous(), None  # [1, tokens, heads, head_dim]


def register() -> None:
    from transformers import AttentionInterface

    AttentionInterface.register(PACKED, packed_sdpa)


def _configs(model: torch.nn.Module) -> list[Any]:
    seen: dict[int, Any] = {}
    for module in model.modules():
        config = getattr(module, "config", None)
        if config is not None and hasattr(config, "_attn_implementation"):
            seen.setdefault(id(config), config)
    return list(seen.values())


def set_attention(model: torch.nn.Module, name: str) -> str:
    """Switch every config in ``model`` to attention ``name``; returns the previous one."""
    register()
    configs = _configs(model)
    previous = configs[0]._attn_implementation if configs else "sdpa"
    for config in configs:
        config._attn_implementation = name
    return previous


@contextmanager
def attention(model: torch.nn.Module, name: str) -> Iterator[None]:
    """Temporarily use attention ``name`` (e.g. plain "sdpa" to generate from a packed model)."""
    previous = set_attention(model, name)
    try:
        yield
    finally:
        set_attention(model, previous)
