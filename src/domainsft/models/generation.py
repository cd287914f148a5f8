"""Batched generation with left padding, per-answer timing and confidence.

Greedy by default so evaluation is reproducible. Prompts are sorted by length before batching
(less padding) and the results come back in the caller's order.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import torch
from transformers import GenerationConfig, LogitsProcessor, LogitsProcessorList

from domainsft.models.chat import Message, encode_chat, end_of_turn_ids
from domainsft.models.device import autocast_dtype

Prompt = Sequence[Message] | str


@dataclass(frozen=True)
class GenerationResult:
    """One answer. ``seconds`` is the wall time of the batch it was generated in."""

    text: str
    n_prompt_tokens: int
    n_new_tokens: int  # including the end-of-turn token when the model emitted one
    seconds: float
    mean_logprob: float  # mean log-probability of the new tokens; low = unsure
    finish_reason: str = "length"  # "stop": end-of-turn or a stop string; "length": ran out
    token_ids: tuple[int, ...] = ()  # the new tokens, end-of-turn included
    n_pad_tokens: int = 0  # this row's padding in its batch: left of the prompt, after the answer


def generate(
    model: Any,
    tokenizer: Any,
    prompts: Sequence[Prompt],
    *,
    max_new_tokens: int = 256,
    temperature: float = 0.0,
    batch_size: int = 8,
    stop: Sequence[str] | None = None,
    progress: bool = True,
    autocast: bool = True,
    seed: int | None = None,
) -> list[GenerationResult]:
    """Answer each prompt: a conversation (rendered with the chat template and a generation
    prompt) or a plain string (raw completion, the tokenizer's usual special tokens added).

    ``temperature=0`` decodes greedily; above 0 it samples from the temperature-scaled
    distribution (seeded by ``seed``). ``autocast`` runs in bf16/fp16 where the device does it
    natively (see ``autocast_dtype``).
    """
    if batch_size < 1 or max_new_tokens < 1:
        raise ValueError("batch_size and max_new_tokens must be at least 1")
    encoded = [encode_prompt(tokenizer, prompt, i) for i, prompt in enumerate(prompts)]
    settings = _generation_config(model, tokenizer, max_new_tokens, temperature, stop, autocast)
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]), reverse=True)
    results: list[GenerationResult | None] = [None] * len(encoded)
    if seed is not None:
        torch.manual_seed(seed)
    show = progress and len(encoded) > batch_size
    with _progress(len(encoded), show) as bar, _eval_mode(model):
        for start in range(0, len(order), batch_size):
            batch = order[start : start + batch_size]
            answers = _generate_batch(model, tokenizer, [encoded[i] for i in batch], settings)
            for i, answer in zip(batch, answers, strict=True):
                results[i] = answer
            bar.update(len(batch))
    return [r for r in results if r is not None]


def encode_prompt(tokenizer: Any, prompt: Prompt, index: int = 0) -> list[int]:
    if isinstance(prompt, str):
        ids = list(tokenizer(prompt)["input_ids"])
    else:
        ids = encode_chat(tokenizer, prompt, add_generation_prompt=True)
    if not ids:
        raise ValueError(f"prompt {index} encodes to no tokens; give it some text")
    return ids


@dataclass(frozen=True)
class _Settings:
    config: GenerationConfig
    stop: tuple[str, ...]
    stop_ids: frozenset[int]
    pad_id: int
    autocast: bool


def _generation_config(
    model: Any,
    tokenizer: Any,
    max_new_tokens: int,
    temperature: float,
    stop: Sequence[str] | None,
    autocast: bool,
) -> _Settings:
    """Settings that mean the same for every model.

    transformers fills each field left None from the model's own generation_config, so the
    knobs that would change greedy or temperature sampling (a hub config's top_p, penalties)
    are set to their neutral values explicitly.
    """
    stop_ids = stop_token_ids(model, tokenizer)
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else min(stop_ids)
    sampling = temperature > 0
    # Truncation knobs only mean something when sampling; set under greedy decoding they make
    # transformers warn that they are ignored.
    truncation = {"top_k": 0, "top_p": 1.0, "min_p": 0.0, "typical_p": 1.0} if sampling else {}
    config = GenerationConfig(
        max_new_tokens=max_new_tokens,
        do_sample=sampling,
        temperature=temperature if sampling else 1.0,
        **truncation,
        repetition_penalty=1.0,
        no_repeat_ngram_size=0,
        min_new_tokens=0,
        eos_token_id=sorted(stop_ids),
        pad_token_id=pad_id,
        stop_strings=list(stop) if stop else None,
    )
    return _Settings(config, tuple(stop or ()), frozenset(stop_ids), pad_id, autocast)


def stop_token_ids(model: Any, tokenizer: Any) -> set[int]:
    """The tokens that end an answer: the chat template's end of turn and the model's eos."""
    stop_ids = set(end_of_turn_ids(tokenizer))
    model_eos = getattr(getattr(model, "generation_config", None), "eos_token_id", None)
    stop_ids.update([model_eos] if isinstance(model_eos, int) else (model_eos or []))
    return stop_ids


def _generate_batch(
    model: Any, tokenizer: Any, batch: list[list[int]], settings: _Settings
) -> list[GenerationResult]:
    device = next(model.parameters()).device
    input_ids, attention_mask = left_pad(batch, settings.pad_id, device)
    recorder = _LogprobRecorder()
    extra = {"tokenizer": tokenizer} if settings.stop else {}  # stop strings need it
    start = time.perf_counter()
    with torch.inference_mode(), _autocast(model, device, settings.autocast):
        out = model.generate(
            input_ids=input_ids,
            attention_mask=attention_mask,
            generation_config=settings.config,
            logits_processor=LogitsProcessorList([recorder]),
            **extra,
        )
    seconds = time.perf_counter() - start
    new_tokens = out[:, input_ids.shape[1] :]
    logprobs = recorder.chosen(new_tokens)
    width = input_ids.shape[1] + new_tokens.shape[1]
    results = [
        _result(tokenizer, row.tolist(), lp, len(prompt), seconds, settings)
        for row, lp, prompt in zip(new_tokens, logprobs, batch, strict=True)
    ]
    return [replace(r, n_pad_tokens=width - r.n_prompt_tokens - r.n_new_tokens) for r in results]


def left_pad(
    batch: list[list[int]], pad_id: int, device: torch.device | str = "cpu"
) -> tuple[torch.Tensor, torch.Tensor]:
    """Pad on the left so every prompt ends at the last column, where generation continues.

    transformers derives position ids from the attention mask, so a padded prompt sees the
    same positions as it would alone.
    """
    width = max(len(ids) for ids in batch)
    input_ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    attention_mask = torch.zeros((len(batch), width), dtype=torch.long)
    for row, ids in enumerate(batch):
        input_ids[row, width - len(ids) :] = torch.tensor(ids, dtype=torch.long)
        attention_mask[row, width - len(ids) :] = 1
    return input_ids.to(device), attention_mask.to(device)


def _result(
    tokenizer: Any,
    tokens: list[int],
    logprobs: torch.Tensor,
    n_prompt: int,
    seconds: float,
    settings: _Settings,
) -> GenerationResult:
    n, stopped = _answer_length(tokens, settings.stop_ids, settings.pad_id)
    text = tokenizer.decode(tokens[:n], skip_special_tokens=True)
    cut = min((i for s in settings.stop if (i := text.find(s)) >= 0), default=-1)
    if cut >= 0:
        text, stopped = text[:cut], True
    mean_lp = logprobs[:n].mean().item() if n else math.nan
    reason = "stop" if stopped else "length"
    return GenerationResult(text, n_prompt, n, seconds, mean_lp, reason, tuple(tokens[:n]))


def _answer_length(tokens: list[int], stop_ids: frozenset[int], pad_id: int) -> tuple[int, bool]:
    """Tokens up to and including the first end-of-turn; a row ended by a stop string is
    followed by padding only (transformers pads finished rows), which is cut off too."""
    for j, token in enumerate(tokens):
        if token in stop_ids:
            return j + 1, True
    n = len(tokens)
    while n and tokens[n - 1] == pad_id:
        n -= 1
    return n, n < len(tokens)


class _LogprobRecorder(LogitsProcessor):
    """Records the log-probability of each chosen token, keeping one step of scores at a time.

    It sits before temperature/top-k warping (transformers runs caller processors first), so
    the log-probabilities are the model's own, whatever the sampling settings.
    """

    def __init__(self) -> None:
        self.steps: list[torch.Tensor] = []
        self._last: torch.Tensor | None = None

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        if self._last is not None:  # input_ids now ends with the token picked from _last
            self.steps.append(self._last.gather(1, input_ids[:, -1:]).squeeze(1))
        self._last = torch.log_softmax(scores.float(), dim=-1)
        return scores

    def chosen(self, new_tokens: torch.Tensor) -> torch.Tensor:
        """(batch, new tokens) log-probabilities, the last step's included."""
        steps = list(self.steps)
        if self._last is not None and len(steps) < new_tokens.shape[1]:
            steps.append(self._last.gather(1, new_tokens[:, len(steps)].unsqueeze(1)).squeeze(1))
        return torch.stack(steps, dim=1).cpu()


def _autocast(model: Any, device: torch.device, enabled: bool) -> contextlib.AbstractContextManager:
    dtype = autocast_dtype(device) if enabled else None
    weights = next(model.parameters()).dtype
    if dtype is None or weights == dtype:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=dtype)


@contextlib.contextmanager
def _eval_mode(model: Any) -> Iterator[None]:
    """Generation without dropout, even when called mid-training; the mode is restored."""
    was_training = model.training
    model.eval()
    try:
        yield
    finally:
        model.train(was_training)


@contextlib.contextmanager
def _progress(total: int, show: bool) -> Iterator[Any]:
    from tqdm.auto import tqdm  # a dependency of transformers, so always present here

    with tqdm(total=total, disable=not show, desc="generate", unit="prompt") as bar:
        yield bar
