"""Causal-LM loss on supervised positions only.

The LM head is applied only where a target is supervised (``logits_to_keep`` with the
positions, a transformers feature): with a 49k vocabulary the full logits of a 2k-token row
are 400 MB in fp32 and most belong to prompt tokens that are never scored.
"""

from __future__ import annotations

import itertools
from typing import Any

import torch
import torch.nn.functional as F

from domainsft.models.chat import IGNORE_INDEX
from domainsft.train.packing import Batch


def _kept(batch: Batch) -> torch.Tensor:
    """Columns holding at least one supervised target (1-D, shared by every row)."""
    return (batch.targets != IGNORE_INDEX).any(dim=0).nonzero().squeeze(1)


def token_losses(
    model: Any, batch: Batch, label_smoothing: float = 0.0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-target losses (fp32) and the ``[row, column]`` index of each, supervised only."""
    cols = _kept(batch)
    out = model(**batch.model_inputs(), logits_to_keep=cols, use_cache=False)
    logits = out.logits.float()  # [rows, kept, vocab]
    targets = batch.targets[:, cols]
    losses = F.cross_entropy(
        logits.reshape(-1, logits.shape[-1]),
        targets.reshape(-1),
        ignore_index=IGNORE_INDEX,
        reduction="none",
        label_smoothing=label_smoothing,
    ).view_as(targets)
    where = (targets != IGNORE_INDEX).nonzero()
    return losses[where[:, 0], where[:, 1]], torch.stack([where[:, 0], cols[where[:, 1]]], dim=1)


def loss_sum(model: Any, batch: Batch, label_smoothing: float = 0.0) -> torch.Tensor:
    """Summed loss over the batch's supervised targets (divide by the step's target count)."""
    losses, _ = token_losses(model, batch, label_smoothing)
    return losses.sum()


def per_example_loss(model: Any, batch: Batch) -> list[float]:
    """Mean loss of each example in the batch, in ``batch.examples`` order."""
    losses, where = token_losses(model, batch)
    out = []
    if batch.cu_seq_lens is not None:  # packed: segments of one row
        bounds = batch.cu_seq_lens.tolist()
        col = where[:, 1]
        for a, b in itertools.pairwise(bounds):
            sel = (col >= a) & (col < b)
            out.append(float(losses[sel].mean()))
    else:
        for r in range(batch.input_ids.shape[0]):
            out.append(float(losses[where[:, 0] == r].mean()))
    return out
