"""Perplexity of the reference answers: how likely the model finds the gold answer, given the
question, rendered with the same chat template and the same answer mask as training uses.

exp(mean negative log-likelihood over the answer tokens, end-of-turn included), per item.
Lower is better; it moves before exact match does, and on the general set it shows forgetting
even where the short answers stay right.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch

from domainsft.models.chat import Referenced

TOKEN_BUDGET = 2048


def answer_perplexity(
    model: Any, tokenizer: Any, items: Sequence[Referenced], *, batch_size: int = 8
) -> list[float | None]:
    """One perplexity per item; None where the item has no reference answer."""
    from domainsft.models.chat import assistant_mask

    encoded: dict[int, tuple[list[int], list[bool]]] = {}
    for i, item in enumerate(items):
        if item.reference:
            conversation = [*item.prompt, {"role": "assistant", "content": item.reference}]
            encoded[i] = assistant_mask(tokenizer, conversation)
    order = sorted(encoded, key=lambda i: len(encoded[i][0]), reverse=True)
    out: list[float | None] = [None] * len(items)
    device = next(model.parameters()).device
    with torch.inference_mode():
        for batch in _batches(order, [len(encoded[i][0]) for i in order], batch_size):
            nll = _batch_nll(model, [encoded[i] for i in batch], device)
            for i, value in zip(batch, nll, strict=True):
                out[i] = math.exp(value) if value is not None else None
    return out


def _batches(order: list[int], lengths: list[int], batch_size: int) -> list[list[int]]:
    """Rows sorted longest first, grouped so no batch holds more than TOKEN_BUDGET positions:
    the logits of a batch are positions × vocabulary floats (49k for SmolLM2), so a token
    budget, not a row count, bounds the memory."""
    batches: list[list[int]] = []
    width = 0  # the first (longest) row's length sets the batch's width
    for i, length in zip(order, lengths, strict=True):
        if (
            batches
            and len(batches[-1]) < batch_size
            and (len(batches[-1]) + 1) * width <= (TOKEN_BUDGET)
        ):
            batches[-1].append(i)
        else:
            batches.append([i])
            width = length
    return batches


def _batch_nll(
    model: Any, batch: list[tuple[list[int], list[bool]]], device: torch.device
) -> list[float | None]:
    """Mean answer-token NLL of each row; rows are right-padded and the padding masked out."""
    width = max(len(ids) for ids, _ in batch)
    ids = torch.zeros((len(batch), width), dtype=torch.long)
    attention = torch.zeros((len(batch), width), dtype=torch.long)
    target = torch.zeros((len(batch), width), dtype=torch.bool)
    for row, (tokens, mask) in enumerate(batch):
        ids[row, : len(tokens)] = torch.tensor(tokens)
        attention[row, : len(tokens)] = 1
        target[row, : len(mask)] = torch.tensor(mask)
    ids, attention, target = ids.to(device), attention.to(device), target.to(device)
    logits = model(input_ids=ids, attention_mask=attention).logits[:, :-1].float()
    # position t predicts token t+1: shift the targets left by one
    logprobs = torch.log_softmax(logits, dim=-1).gather(2, ids[:, 1:].unsqueeze(-1)).squeeze(-1)
    supervised = target[:, 1:]
    counts = supervised.sum(dim=1)
    sums = (logprobs * supervised).sum(dim=1)
    return [(-s / c).item() if c > 0 else None for s, c in zip(sums, counts, strict=True)]
