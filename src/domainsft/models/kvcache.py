"""Key/value caches for the continuous-batching engine: a batch cache that grows in place, and
a cache of recent prompts' keys and values that a new prompt reuses for the prefix it shares.

Why each exists (measured with ``benchmarks/bench_serve.py``, 2 cores, SmolLM2-135M in bf16):

* ``GrowingLayer``. transformers' ``DynamicLayer`` appends a token by concatenating it to the
  whole cache, so every decoding step copies every row's keys and values of every layer once: at
  eight rows of ~600 tokens that copy was 17 % of the step (``aten::cat`` in torch's profiler).
  ``GrowingLayer`` keeps them in a buffer with room to spare and writes the new token in place;
  it copies only when the buffer is full (then doubling it), or when a row joins or leaves.
* ``PrefixCache``. On a CPU the prompt pass is compute-bound: a grounded prompt of ~540 tokens
  costs ~0.34 s however it is batched, while a decoding step costs 43 ms for one row and 57 ms
  for eight (timed alone, 2026-12-07). Every
  grounded prompt begins with the same system turn (the analyst prompt and the evidence rules:
  ~100 tokens in English, ~250 in Chinese) and questions about one report often retrieve the
  same pages. A prompt's prefix already computed for an earlier prompt under the same adapter
  is taken from here and only the rest is run (vLLM's automatic prefix caching, by whole
  prompts rather than blocks).

The keys are stored as the model computed them (rotary positions applied), so a prefix is valid
for any prompt that begins with the same tokens at the same positions, which a prefix always
does. A prefix computed under one adapter is never given to another (LoRA changes the keys).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np
import torch
from transformers.cache_utils import DynamicCache, DynamicLayer

MIN_SPARE = 64  # columns of room a buffer gets beyond what it holds


class GrowingLayer(DynamicLayer):
    """A ``DynamicLayer`` whose ``keys``/``values`` are views of a larger buffer: appending
    writes in place. Everything that reads a layer (``get_seq_length``, attention) sees only the
    filled part."""

    def __init__(self) -> None:
        super().__init__()
        self._k: torch.Tensor | None = None
        self._v: torch.Tensor | None = None

    @classmethod
    def over(cls, keys: torch.Tensor, values: torch.Tensor, used: int) -> GrowingLayer:
        """A layer over buffers ``keys``/``values`` whose first ``used`` columns are filled."""
        layer = cls()
        layer.device = keys.device
        layer.is_initialized = True
        layer._k, layer._v = keys, values
        layer.keys, layer.values = keys[..., :used, :], values[..., :used, :]
        return layer

    @classmethod
    def holding(cls, keys: torch.Tensor, values: torch.Tensor) -> GrowingLayer:
        """A layer that holds copies of ``keys``/``values`` (batch, heads, columns, head dim)."""
        layer = cls()
        layer.device = keys.device
        layer.is_initialized = True
        layer._adopt(keys, values, room=max(MIN_SPARE, keys.shape[-2] // 2))
        return layer

    def _adopt(self, keys: torch.Tensor, values: torch.Tensor, room: int) -> None:
        used = keys.shape[-2]
        shape = list(keys.shape)
        shape[-2] = used + room
        self._k = keys.new_empty(shape)
        self._v = values.new_empty([*values.shape[:-2], used + room, values.shape[-1]])
        self._k[..., :used, :].copy_(keys)
        self._v[..., :used, :].copy_(values)
        self.keys = self._k[..., :used, :]
        self.values = self._v[..., :used, :]

    def update(
        self, key_states: torch.Tensor, value_states: torch.Tensor, *args: Any, **kwargs: Any
    ) -> tuple[torch.Tensor, torch.Tensor]:
        if not self.is_initialized or self._k is None:
            self.device = key_states.device
            self.is_initialized = True
            self._adopt(key_states, value_states, room=MIN_SPARE)
            return self.keys, self.values
        assert self.keys is not None and self.values is not None and self._v is not None
        if key_states.dtype != self._k.dtype or value_states.dtype != self._v.dtype:
            # what concatenation would give (type promotion), then room again
            keys = torch.cat([self.keys, key_states], dim=-2)
            values = torch.cat([self.values, value_states], dim=-2)
            self._adopt(keys, values, room=max(MIN_SPARE, keys.shape[-2]))
            return self.keys, self.values
        used, n = self.keys.shape[-2], key_states.shape[-2]
        if used + n > self._k.shape[-2]:
            self._adopt(self.keys, self.values, room=max(MIN_SPARE, used + n))
        self._k[..., used : used + n, :].copy_(key_states)
        self._v[..., used : used + n, :].copy_(value_states)
        self.keys = self._k[..., : used + n, :]
        self.values = self._v[..., : used + n, :]
        return self.keys, self.values

    def reset(self) -> None:
        self._k = self._v = None
        super().reset()


def stacked(
    parts: list[tuple[list[tuple[torch.Tensor, torch.Tensor]], int]], width: int
) -> DynamicCache:
    """One growing cache holding the rows of every part, each part's columns aligned at the
    right end of ``width`` columns and zeros to their left (masked out, but finite: a masked
    column still meets a zero attention weight). ``parts``: (per-layer keys/values, their
    columns), in batch order. One copy per tensor, into a buffer with room to grow."""
    layers = []
    room = max(MIN_SPARE, width // 2)
    for li in range(len(parts[0][0])):
        bufs = []
        for which in (0, 1):
            pieces = [(kv[li][which], cols) for kv, cols in parts]
            first = pieces[0][0]
            rows = sum(t.shape[0] for t, _ in pieces)
            buf = first.new_empty((rows, first.shape[1], width + room, first.shape[-1]))
            r = 0
            for t, cols in pieces:
                n = t.shape[0]
                if cols < width:
                    buf[r : r + n, :, : width - cols].zero_()
                buf[r : r + n, :, width - cols : width].copy_(t[..., t.shape[-2] - cols :, :])
                r += n
            bufs.append(buf)
        layers.append(GrowingLayer.over(bufs[0], bufs[1], width))
    return _cache(layers)


def selected(cache: Any, rows: list[int], lead: int) -> DynamicCache:
    """A growing cache of ``rows`` of ``cache`` without its first ``lead`` columns (the rows
    that stay in the batch, the padding only the leavers needed trimmed): one copy per row."""
    layers = []
    for k, v in kv_of(cache):
        cols = k.shape[-2] - lead
        room = max(MIN_SPARE, cols // 2)
        bufs = []
        for t in (k, v):
            buf = t.new_empty((len(rows), t.shape[1], cols + room, t.shape[-1]))
            for j, i in enumerate(rows):
                buf[j, :, :cols].copy_(t[i, :, lead:])
            bufs.append(buf)
        layers.append(GrowingLayer.over(bufs[0], bufs[1], cols))
    return _cache(layers)


def _cache(layers: list[GrowingLayer]) -> DynamicCache:
    cache = DynamicCache()
    cache.layers = list(layers)
    cache.layer_class_to_replicate = None  # every layer is here; none is made lazily
    return cache


def cache_from(layers: list[tuple[torch.Tensor, torch.Tensor]]) -> DynamicCache:
    """A plain ``DynamicCache`` holding copies of each layer's (keys, values) (a prefix: its
    layers concatenate, so the stored tensors are never written to)."""
    return DynamicCache(ddp_cache_data=list(layers))


def kv_of(cache: Any) -> list[tuple[torch.Tensor, torch.Tensor]]:
    return [(layer.keys, layer.values) for layer in cache.layers]


class PrefixCache:
    """The keys and values of recent prompts (least recently used dropped first), at most
    ``max_bytes`` in all; ``lookup`` finds the longest stored prefix of a prompt.

        cache = PrefixCache(512 << 20)
        n, kv = cache.lookup("__base__", ids)   # n tokens of ids are cached (0: none)
        ...                                     # run ids[n:] on cache_from(kv)
        cache.store("__base__", ids, kv_of(out_cache))
    """

    def __init__(self, max_bytes: int, min_tokens: int = 16):
        self.max_bytes = max_bytes
        self.min_tokens = min_tokens  # shorter shared prefixes are not worth the copy
        self._entries: OrderedDict[
            tuple[str, tuple[int, ...]], tuple[np.ndarray, list[tuple[torch.Tensor, ...]], int]
        ] = OrderedDict()
        self.bytes = 0  # keys and values held
        self.tokens = 0  # prompt tokens held
        self.queries = 0  # prompt tokens looked up
        self.hits = 0  # of them, found cached

    def __len__(self) -> int:
        return len(self._entries)

    def lookup(
        self, adapter: str, ids: list[int]
    ) -> tuple[int, list[tuple[torch.Tensor, torch.Tensor]]]:
        """(n, per-layer keys/values of ``ids[:n]``), n < len(ids) so that at least one token
        is left to run (its logits choose the first new token); (0, []) where nothing is."""
        self.queries += len(ids)
        if self.max_bytes <= 0 or len(ids) <= self.min_tokens:
            return 0, []
        want = np.asarray(ids, dtype=np.int64)
        best, best_key = 0, None
        for key, (tokens, _, _) in self._entries.items():
            if key[0] != adapter:
                continue
            m = min(len(tokens), len(want) - 1)
            if m <= best:
                continue
            differ = np.flatnonzero(tokens[:m] != want[:m])
            n = int(differ[0]) if differ.size else m
            if n > best:
                best, best_key = n, key
        if best < self.min_tokens or best_key is None:
            return 0, []
        self._entries.move_to_end(best_key)
        layers = self._entries[best_key][1]
        self.hits += best
        return best, [(k[..., :best, :], v[..., :best, :]) for k, v in layers]

    def store(
        self, adapter: str, ids: list[int], layers: list[tuple[torch.Tensor, torch.Tensor]]
    ) -> None:
        """Keep the keys/values of prompt ``ids`` (tensors the caller no longer changes)."""
        if self.max_bytes <= 0 or len(ids) <= self.min_tokens:
            return
        key = (adapter, tuple(ids))
        if key in self._entries:
            self._entries.move_to_end(key)
            return
        n = len(ids)
        kept = [(k[..., :n, :], v[..., :n, :]) for k, v in layers]
        size = sum(t.nelement() * t.element_size() for pair in kept for t in pair)
        if size > self.max_bytes:
            return
        self._entries[key] = (np.asarray(ids, dtype=np.int64), kept, size)
        self.bytes += size
        self.tokens += n
        while self.bytes > self.max_bytes:
            (_, old_ids), (_, _, old_size) = self._entries.popitem(last=False)
            self.bytes -= old_size
            self.tokens -= len(old_ids)


__all__ = ["GrowingLayer", "PrefixCache", "cache_from", "kv_of", "selected", "stacked"]
