"""Regularisers against catastrophic forgetting: L2-SP and EWC.

L2-SP (Li et al. 2018, "Explicit inductive bias for transfer learning") pulls the weights
toward their starting point: ``alpha/2 * sum (w - w0)^2``. EWC (Kirkpatrick et al. 2017)
weighs that pull per weight by the diagonal Fisher information estimated on general data,
so weights that matter for general ability move least: ``lambda/2 * sum F (w - w0)^2``.
Both act on the trainable parameters only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch

from domainsft.train.packing import Batch


class Anchor:
    """A quadratic pull of each trainable parameter toward its initial value."""

    def __init__(
        self,
        model: torch.nn.Module,
        weight: float,
        importance: dict[str, torch.Tensor] | None = None,
    ):
        self.weight = weight
        self.params = {n: p for n, p in model.named_parameters() if p.requires_grad}
        self.start = {n: p.detach().clone() for n, p in self.params.items()}
        self.importance = importance

    def penalty(self) -> torch.Tensor:
        total = None
        for n, p in self.params.items():
            d = (p - self.start[n]).pow(2)
            if self.importance is not None:
                d = d * self.importance[n]
            term = d.sum()
            total = term if total is None else total + term
        return 0.5 * self.weight * total

    def state_dict(self) -> dict:
        return {"start": self.start, "importance": self.importance}

    def load_state_dict(self, state: dict) -> None:
        self.start = state["start"]
        self.importance = state["importance"]


def fisher_diagonal(
    model: torch.nn.Module,
    batches: Iterable[Batch],
    loss_fn: Callable[[torch.nn.Module, Batch], tuple[torch.Tensor, int]],
) -> dict[str, torch.Tensor]:
    """Mean squared gradient of the mean token loss per batch (the empirical diagonal Fisher)."""
    params = {n: p for n, p in model.named_parameters() if p.requires_grad}
    fisher = {n: torch.zeros_like(p) for n, p in params.items()}
    seen = 0
    for batch in batches:
        model.zero_grad(set_to_none=True)
        total, count = loss_fn(model, batch)
        (total / max(count, 1)).backward()
        for n, p in params.items():
            if p.grad is not None:
                fisher[n] += p.grad.detach().float().pow(2)
        seen += 1
    model.zero_grad(set_to_none=True)
    if seen == 0:
        raise ValueError("EWC needs at least one batch of general data to estimate the Fisher")
    mean = {n: f / seen for n, f in fisher.items()}
    # normalise so that `train.ewc` has a similar scale whatever the data: mean importance 1
    scale = torch.cat([f.flatten() for f in mean.values()]).mean().clamp(min=1e-12)
    return {n: f / scale for n, f in mean.items()}
