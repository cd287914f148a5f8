"""Continuous batching: one model, many requests, no row waiting for its batch mates.

``generate`` (generation.py) runs a static batch: every row waits until the longest one is done,
and a request that arrives mid-batch waits for the whole batch. Here one worker thread owns the
model and, at every decoding step:

1. admits waiting requests while the batch has room, each prefilled alone (no padding in the
   prompt pass; the part of the prompt an earlier prompt began with is taken from the prefix
   cache, ``kvcache.PrefixCache``) and its key/value cache merged into the batch's cache,
   aligned at the right end;
2. runs one decoding step for every running row together (one token each, each row at its own
   position, the left padding of shorter rows masked out);
3. hands each row its token (streamed to the caller as text) and lets finished rows leave at
   once, trimming cache columns that only padding still uses.

The batch's cache grows in place (``kvcache.GrowingLayer``): a step writes one column instead of
copying the whole cache.

Rows may run different LoRA adapters of one base model (PEFT's mixed-adapter batches,
``adapter_names``); ``None`` is the base. Greedy decoding gives the tokens one-at-a-time
generation gives (a test holds it to that). The engine serves the API server and evaluation
alike; ``Engine.generate`` is the blocking form of ``submit`` for a list of prompts.
"""

from __future__ import annotations

import inspect
import itertools
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch

from domainsft.models.generation import (
    GenerationResult,
    Prompt,
    _autocast,
    encode_prompt,
    stop_token_ids,
)
from domainsft.models.kvcache import PrefixCache, cache_from, kv_of, selected, stacked

BASE = "__base__"  # PEFT's name for "no adapter" in a mixed-adapter batch


class EngineBusy(RuntimeError):
    """The waiting queue is full; the caller answers 429 and retries later."""


class EngineClosed(RuntimeError):
    """The engine is shutting down and takes no new requests."""


class PromptTooLong(ValueError):
    """The prompt leaves no room for an answer in the model's context."""


class UnknownAdapter(KeyError):
    """A request named an adapter the engine has not loaded."""


@dataclass(frozen=True)
class Sampling:
    """How one request decodes. ``temperature == 0``: greedy."""

    max_new_tokens: int = 256
    temperature: float = 0.0
    top_p: float = 1.0
    stop: tuple[str, ...] = ()
    seed: int | None = None
    ignore_eos: bool = False  # run to max_new_tokens (benchmarks), as vLLM's ignore_eos


@dataclass(frozen=True)
class Delta:
    """New text of a running request (what a stream sends)."""

    text: str
    n_new_tokens: int


@dataclass(frozen=True)
class Done:
    """The request's last event: its answer and timings (seconds since it was submitted)."""

    result: GenerationResult
    queued_s: float  # waiting before its prefill began
    ttft_s: float  # until its first token
    e2e_s: float  # until its last token
    error: str | None = None
    cached_tokens: int = 0  # prompt tokens taken from the prefix cache (not computed)


Event = Delta | Done


class Stream:
    """What ``submit`` returns: the request's events, in order, ending with ``Done``.

    ``on_event`` (called on the engine's thread) lets an asyncio server forward events with
    ``loop.call_soon_threadsafe``; without it events queue here for ``events()``/``result()``.
    ``cancel()`` frees the request's batch slot at the next step (a client that went away).
    """

    def __init__(self, request_id: int, on_event: Callable[[Event], None] | None = None):
        self.id = request_id
        self._on_event = on_event
        self._events: deque[Event] = deque()
        self._cond = threading.Condition()
        self.cancelled = False
        self.done: Done | None = None

    def cancel(self) -> None:
        self.cancelled = True

    def _push(self, event: Event) -> None:
        if isinstance(event, Done):
            self.done = event
        if self._on_event is not None:
            self._on_event(event)
            return
        with self._cond:
            self._events.append(event)
            self._cond.notify_all()

    def events(self, timeout_s: float | None = None) -> Iterator[Event]:
        """The events as they come (blocking); ends after ``Done``."""
        while True:
            with self._cond:
                if not self._events and not self._cond.wait_for(
                    lambda: bool(self._events), timeout_s
                ):
                    raise TimeoutError(f"request {self.id}: no event within {timeout_s} s")
                event = self._events.popleft()
            yield event
            if isinstance(event, Done):
                return

    def result(self, timeout_s: float | None = None) -> Done:
        for event in self.events(timeout_s):
            if isinstance(event, Done):
                return event
        raise AssertionError("unreachable")


@dataclass
class _Request:
    stream: Stream
    prompt: list[int]
    sampling: Sampling
    adapter: str
    submitted: float
    generator: torch.Generator | None = None


@dataclass
class _Row:
    req: _Request
    started: float
    tokens: list[int] = field(default_factory=list)
    logprobs: list[float] = field(default_factory=list)
    first_token_at: float = 0.0
    cached: int = 0  # prompt tokens taken from the prefix cache
    sent: str = ""  # text already streamed
    finish: str | None = None  # "stop" | "length" once finished
    text: str = ""

    @property
    def length(self) -> int:  # tokens in the cache for this row (its next position)
        return len(self.req.prompt) + len(self.tokens)


class Engine:
    """A worker thread running continuous batching over ``model`` (a causal LM, or a PEFT model
    with one or more LoRA adapters loaded)."""

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        *,
        max_batch: int = 8,
        max_waiting: int = 256,
        autocast: bool = True,
        name: str = "model",
        background: bool = True,
        prefix_cache_mb: float = 0,
    ):
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.max_batch = max_batch
        self.max_waiting = max_waiting
        self.autocast = autocast
        self.name = name
        self.device = next(model.parameters()).device
        self.stop_ids = frozenset(stop_token_ids(model, tokenizer))
        config = getattr(model, "config", None)
        self.max_len = int(getattr(config, "max_position_embeddings", 0) or 0) or None
        self.adapters = _adapter_names(model)
        self._cache_arg = _cache_argument(model)
        # keys/values of recent prompts, reused for the prefix a new prompt shares (0: off)
        self.prefix = PrefixCache(int(prefix_cache_mb * (1 << 20)))
        self._waiting: deque[_Request] = deque()
        self._rows: list[_Row] = []
        self._cache: Any = None
        self._mask: torch.Tensor | None = None  # (rows, cache columns): 1 where a row has a token
        self._lock = threading.Condition()
        self._ids = itertools.count(1)
        self._closing = False
        # background: a worker thread owns the model (the server). Without it, `generate`
        # drives the batch on the caller's thread (eval): torch's OpenMP pool then stays the
        # caller's, which on a small CPU is measurably faster than a second thread's pool
        # after the caller has computed (perplexity, a static batch).
        self._thread: threading.Thread | None = None
        if background:
            self._thread = threading.Thread(target=self._loop, name=f"engine-{name}", daemon=True)
            self._thread.start()
        self.steps = 0  # decoding steps run
        self.rows_stepped = 0  # sum over steps of the rows in the batch

    # ------------------------------------------------------------------ public
    def submit(
        self,
        prompt: Prompt | list[int],
        sampling: Sampling = Sampling(),
        adapter: str | None = None,
        on_event: Callable[[Event], None] | None = None,
    ) -> Stream:
        """Queue one request; raises ``EngineBusy`` when ``max_waiting`` are already queued,
        ``UnknownAdapter`` for an adapter that is not loaded."""
        name = adapter or BASE
        if name != BASE and name not in self.adapters:
            raise UnknownAdapter(name)
        if sampling.max_new_tokens < 1:
            raise ValueError("max_new_tokens must be at least 1")
        ids = list(prompt) if _is_ids(prompt) else encode_prompt(self.tokenizer, prompt)  # type: ignore[arg-type]
        if self.max_len is not None and len(ids) >= self.max_len:
            raise PromptTooLong(
                f"the prompt has {len(ids)} tokens; the model's context holds {self.max_len}"
            )
        with self._lock:
            if self._closing:
                raise EngineClosed("the engine is shutting down")
            if len(self._waiting) >= self.max_waiting:
                raise EngineBusy(f"{len(self._waiting)} requests are waiting already")
            stream = Stream(next(self._ids), on_event)
            gen = None
            if sampling.temperature > 0:
                gen = torch.Generator(device="cpu")
                gen.manual_seed(sampling.seed if sampling.seed is not None else stream.id)
            self._waiting.append(_Request(stream, ids, sampling, name, time.perf_counter(), gen))
            self._lock.notify_all()
        return stream

    def generate(
        self,
        prompts: Sequence[Prompt],
        sampling: Sampling = Sampling(),
        adapter: str | None = None,
    ) -> list[GenerationResult]:
        """Answer every prompt (all submitted at once, batched continuously), in order."""
        streams = [self.submit(p, sampling, adapter) for p in prompts]
        if self._thread is None:
            self.drive()
        done = [s.result() for s in streams]
        for d in done:
            if d.error:
                raise RuntimeError(d.error)
        return [d.result for d in done]

    def load(self) -> tuple[int, int]:
        """(running, waiting) requests now."""
        with self._lock:
            return len(self._rows), len(self._waiting)

    def load_by_adapter(self) -> dict[str, tuple[int, int]]:
        """(running, waiting) requests now, per adapter name (``BASE`` for the base model)."""
        out: dict[str, list[int]] = {}
        with self._lock:
            for row in self._rows:
                out.setdefault(row.req.adapter, [0, 0])[0] += 1
            for req in self._waiting:
                out.setdefault(req.adapter, [0, 0])[1] += 1
        return {k: (v[0], v[1]) for k, v in out.items()}

    def close(self, drain: bool = True, timeout_s: float | None = None) -> None:
        """Stop taking requests; with ``drain`` the running and waiting ones finish first."""
        with self._lock:
            self._closing = True
            if not drain:
                for req in self._waiting:
                    req.stream.cancel()
                for row in self._rows:
                    row.req.stream.cancel()
            self._lock.notify_all()
        if self._thread is not None:
            self._thread.join(timeout_s)
        elif drain:
            self.drive()

    # ------------------------------------------------------------------ worker
    def _loop(self) -> None:
        while True:
            with self._lock:
                self._lock.wait_for(lambda: self._waiting or self._rows or self._closing)
                if self._closing and not self._waiting and not self._rows:
                    return
            self._iteration()

    def drive(self, after_step: Callable[[], None] | None = None) -> None:
        """Run the batch on the calling thread until nothing is waiting or running (an engine
        made with ``background=False``; with a worker thread there is nothing to drive).
        ``after_step`` is called after every step (a progress bar)."""
        if self._thread is not None:
            return
        while self._waiting or self._rows:
            self._iteration()
            if after_step is not None:
                after_step()

    def _iteration(self) -> None:
        """Admit what fits, prefill it, run one decoding step."""
        with self._lock:
            admit = []
            while self._waiting and len(self._rows) + len(admit) < self.max_batch:
                admit.append(self._waiting.popleft())
        try:
            with torch.inference_mode(), _autocast(self.model, self.device, self.autocast):
                for req in admit:
                    self._prefill(req)
                self._drop_cancelled()
                if self._rows:
                    self._step()
        except Exception as exc:  # every request must hear of it
            self._fail_all(f"{type(exc).__name__}: {exc}")

    def _forward(self, input_ids: torch.Tensor, adapters: list[str], **kw: Any) -> Any:
        if self.adapters:
            kw["adapter_names"] = adapters
        return self.model(input_ids=input_ids, use_cache=True, **kw)

    def _prefill(self, req: _Request) -> None:
        if req.stream.cancelled:
            self._finish_cancelled(req)
            return
        row = _Row(req, time.perf_counter())
        n, prefix = self.prefix.lookup(req.adapter, req.prompt)
        ids = torch.tensor([req.prompt[n:]], dtype=torch.long, device=self.device)
        kw: dict[str, Any] = {"logits_to_keep": 1}
        if n:
            kw[self._cache_arg] = cache_from(prefix)
        out = self._forward(ids, [req.adapter], **kw)
        cache = _cache_of(out)
        row.cached = n
        self.prefix.store(req.adapter, req.prompt, kv_of(cache))
        mask = torch.ones((1, len(req.prompt)), dtype=torch.long, device=self.device)
        self._merge(cache, mask)
        self._rows.append(row)
        self._take(row, out.logits[:, -1, :].float()[0])
        self._retire()

    def _step(self) -> None:
        rows = self._rows
        assert self._mask is not None
        last = torch.tensor([[r.tokens[-1]] for r in rows], dtype=torch.long, device=self.device)
        positions = torch.tensor([[r.length - 1] for r in rows], device=self.device)
        ones = torch.ones((len(rows), 1), dtype=torch.long, device=self.device)
        self._mask = torch.cat([self._mask, ones], dim=1)
        out = self._forward(
            last,
            [r.req.adapter for r in rows],
            attention_mask=self._mask,
            position_ids=positions,
            **{self._cache_arg: self._cache},
        )
        self._cache = _cache_of(out)
        logits = out.logits[:, -1, :].float()
        self.steps += 1
        self.rows_stepped += len(rows)
        for i, row in enumerate(rows):
            self._take(row, logits[i])
        self._retire()

    def _take(self, row: _Row, logits: torch.Tensor) -> None:
        """Choose the row's next token, record it, stream its text, decide whether it is done."""
        s = row.req.sampling
        token = _choose(logits, s, row.req.generator)
        row.logprobs.append(torch.log_softmax(logits, dim=-1)[token].item())
        row.tokens.append(token)
        if len(row.tokens) == 1:
            row.first_token_at = time.perf_counter()
        if token in self.stop_ids and not s.ignore_eos:
            row.finish = "stop"
        text = self.tokenizer.decode(
            [t for t in row.tokens if t not in self.stop_ids], skip_special_tokens=True
        )
        cut = min((i for stop in s.stop if (i := text.find(stop)) >= 0), default=-1)
        if cut >= 0:
            text, row.finish = text[:cut], "stop"
        elif row.finish is None and (
            len(row.tokens) >= s.max_new_tokens
            or (self.max_len is not None and row.length >= self.max_len)
        ):
            row.finish = "length"  # the answer's limit, or the model's context is full
        row.text = text
        # hold back what could still turn out to be the start of a stop string, or half a
        # multi-byte character
        hold = 0 if row.finish else max((len(x) - 1 for x in s.stop), default=0)
        ready = text[: len(text) - hold] if hold else text
        if not row.finish and ready.endswith("\ufffd"):
            ready = ready.rstrip("\ufffd")
        if len(ready) > len(row.sent) and ready.startswith(row.sent):
            row.req.stream._push(Delta(ready[len(row.sent) :], len(row.tokens)))
            row.sent = ready

    def _retire(self) -> None:
        """Let finished and cancelled rows leave the batch and send their last event."""
        keep = [
            i for i, r in enumerate(self._rows) if r.finish is None and not r.req.stream.cancelled
        ]
        if len(keep) == len(self._rows):
            return
        now = time.perf_counter()
        for i, row in enumerate(self._rows):
            if i not in keep:
                self._send_done(row, now)
        self._rows = [self._rows[i] for i in keep]
        if not keep:
            self._cache, self._mask = None, None
            return
        index = torch.tensor(keep, device=self.device)
        assert self._mask is not None
        self._mask = self._mask.index_select(0, index)
        lead = int((self._mask.cumsum(dim=1) == 0).sum(dim=1).min().item())
        self._mask = self._mask[:, lead:]
        self._cache = selected(self._cache, keep, lead)

    def _drop_cancelled(self) -> None:
        if any(r.req.stream.cancelled for r in self._rows):
            self._retire()

    def _merge(self, cache: Any, mask: torch.Tensor) -> None:
        """Append a prefilled row's cache to the batch's, both aligned at their right end."""
        if self._cache is None:
            _check_cache(cache)
            self._cache, self._mask = stacked([(kv_of(cache), mask.shape[1])], mask.shape[1]), mask
            return
        assert self._mask is not None
        width, new = self._mask.shape[1], mask.shape[1]
        total = max(width, new)
        self._mask = torch.cat(
            [_pad_left(self._mask, total - width, 1), _pad_left(mask, total - new, 1)]
        )
        self._cache = stacked([(kv_of(self._cache), width), (kv_of(cache), new)], total)

    def _send_done(self, row: _Row, now: float) -> None:
        req = row.req
        if req.stream.cancelled and row.finish is None:
            row.finish = "cancelled"
        n = len(row.tokens)
        mean_lp = sum(row.logprobs) / n if n else math.nan
        result = GenerationResult(
            row.text, len(req.prompt), n, now - req.submitted, mean_lp,
            row.finish or "length", tuple(row.tokens),
        )  # fmt: skip
        ttft = (row.first_token_at or now) - req.submitted
        req.stream._push(
            Done(
                result, row.started - req.submitted, ttft, now - req.submitted,
                cached_tokens=row.cached,
            )
        )  # fmt: skip

    def _finish_cancelled(self, req: _Request) -> None:
        now = time.perf_counter()
        result = GenerationResult(
            "", len(req.prompt), 0, now - req.submitted, math.nan, "cancelled"
        )
        req.stream._push(Done(result, now - req.submitted, 0.0, now - req.submitted))

    def _fail_all(self, error: str) -> None:
        """A forward pass failed: every running request ends with the error; the engine goes on
        with the waiting ones."""
        now = time.perf_counter()
        for row in self._rows:
            req = row.req
            result = GenerationResult(
                row.text, len(req.prompt), len(row.tokens), now - req.submitted,
                math.nan, "error", tuple(row.tokens),
            )  # fmt: skip
            req.stream._push(
                Done(result, row.started - req.submitted, 0.0, now - req.submitted, error)
            )
        self._rows, self._cache, self._mask = [], None, None


def _choose(logits: torch.Tensor, s: Sampling, generator: torch.Generator | None) -> int:
    if s.temperature <= 0:
        return int(torch.argmax(logits).item())
    probs = torch.softmax(logits / s.temperature, dim=-1)
    if s.top_p < 1.0:
        sorted_p, order = torch.sort(probs, descending=True)
        keep = sorted_p.cumsum(0) - sorted_p < s.top_p  # the smallest set reaching top_p
        probs = torch.zeros_like(probs).scatter(0, order[keep], sorted_p[keep])
    return int(torch.multinomial(probs.cpu(), 1, generator=generator).item())


def _pad_left(t: torch.Tensor, n: int, dim_from_end: int = 2) -> torch.Tensor:
    """``t`` with ``n`` zero columns before its sequence axis (masks: dim 1; caches: dim 2)."""
    if n == 0:
        return t
    dim = 1 if dim_from_end == 1 else 2
    shape = list(t.shape)
    shape[dim] = n
    return torch.cat([t.new_zeros(shape), t], dim=dim)


def _check_cache(cache: Any) -> None:
    layers = getattr(cache, "layers", None)
    if not layers or not all(hasattr(x, "keys") and hasattr(x, "values") for x in layers):
        raise TypeError(
            f"continuous batching needs a per-layer key/value cache; {type(cache).__name__} has "
            "none. Use the static batch (`generate`) for this model"
        )
    if any(getattr(x, "is_sliding", False) for x in layers):
        raise TypeError(
            "continuous batching does not support sliding-window caches yet; use the static "
            "batch (`generate`) for this model"
        )


def _cache_argument(model: Any) -> str:
    """transformers 5.x names the key/value cache argument ``cache``; earlier releases (and
    models that have not moved yet) ``past_key_values``."""
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    params = inspect.signature(base.forward).parameters
    return "cache" if "cache" in params else "past_key_values"


def _cache_of(out: Any) -> Any:
    cache = getattr(out, "cache", None)
    return cache if cache is not None else out.past_key_values


def _adapter_names(model: Any) -> frozenset[str]:
    config = getattr(model, "peft_config", None)
    return frozenset(config) if isinstance(config, dict) else frozenset()


def _is_ids(prompt: Any) -> bool:
    return isinstance(prompt, list) and bool(prompt) and all(isinstance(t, int) for t in prompt)


__all__ = [
    "BASE",
    "Delta",
    "Done",
    "Engine",
    "EngineBusy",
    "EngineClosed",
    "Event",
    "PromptTooLong",
    "Sampling",
    "Stream",
    "UnknownAdapter",
]
