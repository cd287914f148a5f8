"""Batches: packed rows (several examples per row, attention per example) or padded groups.

Packing is best-fit decreasing over example lengths, so rows come out nearly full; no padding
is needed because each example's attention runs on its own segment (``train.attention``) and
its position ids restart at 0, exactly as if it were alone in the batch.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import torch

from domainsft.models.chat import IGNORE_INDEX
from domainsft.train.data import Tokenized


@dataclass
class Batch:
    input_ids: torch.Tensor  # [rows, tokens]
    position_ids: torch.Tensor  # [rows, tokens]
    targets: torch.Tensor  # [rows, tokens], IGNORE_INDEX where not supervised
    attention_mask: torch.Tensor | None  # [rows, tokens] for padded batches, else None
    cu_seq_lens: torch.Tensor | None  # segment bounds of a packed row, else None
    examples: list[int]  # indices into the example list, in row order

    @property
    def n_tokens(self) -> int:
        """Real (non-padding) tokens."""
        if self.attention_mask is None:
            return self.input_ids.numel()
        return int(self.attention_mask.sum())

    @property
    def n_positions(self) -> int:
        return self.input_ids.numel()

    @property
    def n_supervised(self) -> int:
        return int((self.targets != IGNORE_INDEX).sum())

    def model_inputs(self) -> dict[str, torch.Tensor]:
        inputs = {"input_ids": self.input_ids, "position_ids": self.position_ids}
        if self.attention_mask is not None:
            inputs["attention_mask"] = self.attention_mask
        if self.cu_seq_lens is not None:
            longest = int((self.cu_seq_lens[1:] - self.cu_seq_lens[:-1]).max())
            inputs |= {
                "cu_seq_lens_q": self.cu_seq_lens,
                "cu_seq_lens_k": self.cu_seq_lens,
                "max_length_q": longest,
                "max_length_k": longest,
            }
        return inputs

    def to(self, device: torch.device | str) -> Batch:
        move = lambda t: None if t is None else t.to(device)  # noqa: E731
        return Batch(
            move(self.input_ids),
            move(self.position_ids),
            move(self.targets),
            move(self.attention_mask),
            move(self.cu_seq_lens),
            self.examples,
        )


def pack(lengths: list[int], capacity: int) -> list[list[int]]:
    """Group example indices into rows of at most ``capacity`` tokens (best-fit decreasing).

    Deterministic: ties are broken by index. Each row lists its examples in index order.
    """
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    free: list[tuple[int, int]] = []  # (tokens left, row id), kept sorted
    rows: list[list[int]] = []
    for i in order:
        n = lengths[i]
        if n > capacity:
            raise ValueError(f"example {i} has {n} tokens, more than a row holds ({capacity})")
        k = bisect.bisect_left(free, (n, -1))
        if k < len(free):
            left, row = free.pop(k)
        else:
            left, row = capacity, len(rows)
            rows.append([])
        rows[row].append(i)
        if left - n > 0:
            bisect.insort(free, (left - n, row))
    return [sorted(r) for r in rows]


def packed_batch(examples: list[Tokenized], row: list[int]) -> Batch:
    ids, pos, tgt, bounds = [], [], [], [0]
    for i in row:
        ex = examples[i]
        ids += ex.input_ids
        tgt += ex.targets
        pos += range(len(ex.input_ids))
        bounds.append(len(ids))
    as_row = lambda xs: torch.tensor([xs], dtype=torch.long)  # noqa: E731
    cu = torch.tensor(bounds, dtype=torch.int32)
    return Batch(as_row(ids), as_row(pos), as_row(tgt), None, cu, list(row))


def padded_batch(examples: list[Tokenized], group: list[int], pad_id: int) -> Batch:
    """Right-padded batch with an attention mask (for methods that cannot pack, e.g. prefix)."""
    width = max(len(examples[i].input_ids) for i in group)
    ids, tgt, att = [], [], []
    for i in group:
        ex = examples[i]
        pad = width - len(ex.input_ids)
        ids.append(ex.input_ids + [pad_id] * pad)
        tgt.append(ex.targets + [IGNORE_INDEX] * pad)
        att.append([1] * len(ex.input_ids) + [0] * pad)
    att_t = torch.tensor(att, dtype=torch.long)
    pos = (att_t.cumsum(1) - 1).clamp(min=0)
    return Batch(torch.tensor(ids), pos, torch.tensor(tgt), att_t, None, list(group))


def groups(lengths: list[int], batch_size: int) -> list[list[int]]:
    """Batches of similar length (sorted, then cut), so padding stays small."""
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i], i))
    return [sorted(order[k : k + batch_size]) for k in range(0, len(order), batch_size)]
