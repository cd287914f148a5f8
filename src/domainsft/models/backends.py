"""Where answers come from: a local model (batched generation) or any OpenAI-compatible endpoint.

Shared by evaluation, pseudo-labelling and the assistant, so that a model is asked the same
way wherever it answers. Both return one ``Answer`` per prompt, in order, with what the
latency and token-utilisation metrics need. A local model also scores the reference answers
(perplexity); an endpoint cannot (chat completions give no log-probabilities of a given text),
so its perplexity is None.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from domainsft.models.chat import Message, Referenced

ENGINES = ("static", "continuous")  # static batches (generate) or continuous batching (Engine)


@dataclass(frozen=True)
class Answer:
    text: str
    latency_s: float  # wall time until this answer was complete
    n_prompt_tokens: int
    n_new_tokens: int
    finish_reason: str  # "stop" or "length" (cut off at max_new_tokens)
    mean_logprob: float = math.nan  # mean log-probability of the answer's tokens; low = unsure
    n_pad_tokens: int = 0  # padding this answer cost in its batch
    error: str | None = None  # the request failed (endpoint); the answer is empty


@dataclass(frozen=True)
class Generation:
    """How to generate, from the task spec."""

    max_new_tokens: int = 256
    until: tuple[str, ...] = ()
    temperature: float = 0.0


class LocalBackend:
    """A model loaded in this process: an HF id, a local dir, a GGUF or an adapter."""

    def __init__(
        self,
        model: str | None,
        adapter: str | None = None,
        *,
        batch_size: int = 8,
        dtype: str = "auto",
        device: str = "auto",
        engine: str = "static",
        prefix_cache_mb: float = 0,
    ):
        from domainsft.models import load_model, pick_device

        if engine not in ENGINES:
            raise ValueError(f"engine {engine!r}: use one of {', '.join(ENGINES)}")
        device = pick_device() if device == "auto" else device
        self.batch_size = batch_size
        self.engine = engine
        self.prefix_cache_mb = prefix_cache_mb
        self._engine: Any = None
        # "float32" asked for explicitly means full precision throughout, no bf16 autocast
        self.autocast = dtype != "float32"
        if adapter and model:
            from domainsft.utils.imports import require

            peft = require("peft", "train")
            base, self.tokenizer = load_model(model, dtype=dtype, device=device, trainable=False)
            self.model = peft.PeftModel.from_pretrained(base, adapter).eval()
        else:
            self.model, self.tokenizer = load_model(
                adapter or model, dtype=dtype, device=device, trainable=False
            )
        self.name = adapter or model or "default"

    def generate(
        self, prompts: Sequence[list[Message]], gen: Generation, progress: bool = True
    ) -> list[Answer]:
        if self.engine == "continuous":
            return self._continuous(prompts, gen, progress)
        from domainsft.models import generate

        results = generate(
            self.model,
            self.tokenizer,
            list(prompts),
            max_new_tokens=gen.max_new_tokens,
            temperature=gen.temperature,
            batch_size=self.batch_size,
            stop=list(gen.until) or None,
            seed=0,
            autocast=self.autocast,
            progress=progress,
        )
        return [
            Answer(
                text=r.text,
                latency_s=r.seconds,
                n_prompt_tokens=r.n_prompt_tokens,
                n_new_tokens=r.n_new_tokens,
                finish_reason=r.finish_reason,
                mean_logprob=r.mean_logprob,
                n_pad_tokens=r.n_pad_tokens,
            )
            for r in results
        ]

    def _continuous(
        self, prompts: Sequence[list[Message]], gen: Generation, progress: bool
    ) -> list[Answer]:
        """The prompts through the continuous-batching engine: a finished answer leaves the
        batch at once and the next prompt takes its row (no padding to the longest answer)."""
        from tqdm.auto import tqdm

        from domainsft.models.engine import Engine, Sampling

        if self._engine is None:
            self._engine = Engine(
                self.model,
                self.tokenizer,
                max_batch=self.batch_size,
                max_waiting=1 << 30,
                autocast=self.autocast,
                name=self.name,
                background=False,  # eval drives the batch on its own thread
                prefix_cache_mb=self.prefix_cache_mb,
            )
        sampling = Sampling(gen.max_new_tokens, gen.temperature, stop=tuple(gen.until), seed=0)
        # a request without an adapter name runs the bare base: name this backend's adapter
        adapter = getattr(self.model, "active_adapter", None) if self._engine.adapters else None
        streams = [self._engine.submit(p, sampling, adapter) for p in prompts]
        show = progress and len(streams) > self.batch_size
        with tqdm(total=len(streams), desc="generate", unit="prompt", disable=not show) as bar:
            steps = [0]

            def tick() -> None:  # every 32 steps: counting is O(prompts)
                steps[0] += 1
                if show and steps[0] % 32 == 0:
                    bar.update(sum(s.done is not None for s in streams) - bar.n)

            self._engine.drive(tick)
            bar.update(len(streams) - bar.n)
        out = []
        for stream in streams:
            d = stream.result()
            if d.error:
                raise RuntimeError(f"generation failed: {d.error}")
            out.append(answer_of(d))
        return out

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()
            self._engine = None

    def perplexity(self, items: Sequence[Referenced]) -> list[float | None]:
        from domainsft.models.perplexity import answer_perplexity

        return answer_perplexity(self.model, self.tokenizer, items, batch_size=self.batch_size)


class EndpointBackend:
    """An OpenAI-compatible server (vLLM, llama-server, Ollama, domainsft serve ...)."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key_env: str | None = None,
        concurrency: int = 8,
        timeout_s: float = 300.0,
        max_retries: int = 3,
    ):
        from domainsft.models.openai_api import ChatClient, Hints

        key = os.environ.get(api_key_env) if api_key_env else None
        hints = Hints(
            base_url="--endpoint",
            model="--endpoint-model",
            api_key_env="--api-key-env",
            timeout="eval timeout",
            what="the model",
        )
        self.client = ChatClient(base_url, key, api_key_env, timeout_s, max_retries, hints=hints)
        self.model_name = model
        self.concurrency = concurrency
        self.name = f"{base_url}#{model}"
        served = self.client.models()  # fails fast on a wrong URL or key
        if served is not None and model not in served:
            from domainsft.models.openai_api import EndpointError

            raise EndpointError(
                f"{base_url}: serves no model {model!r}; pass --endpoint-model with one of: "
                f"{', '.join(served[:20])}"
            )

    def generate(
        self, prompts: Sequence[list[Message]], gen: Generation, progress: bool = True
    ) -> list[Answer]:
        from tqdm.auto import tqdm

        with ThreadPoolExecutor(self.concurrency) as pool:
            jobs = [pool.submit(self._one, p, gen) for p in prompts]
            bar = tqdm(jobs, desc="generate", unit="prompt", disable=not progress)
            return [j.result() for j in bar]

    def _one(self, prompt: list[Message], gen: Generation) -> Answer:
        from domainsft.models.openai_api import RequestFailed

        params: dict[str, Any] = {
            "max_tokens": gen.max_new_tokens,
            "temperature": gen.temperature,
            "logprobs": True,
        }
        if gen.until:
            params["stop"] = list(gen.until)
        start = time.perf_counter()
        try:
            reply = self.client.completion(self.model_name, prompt, **params)
        except RequestFailed as exc:
            return Answer("", time.perf_counter() - start, 0, 0, "error", error=str(exc))
        seconds = time.perf_counter() - start
        choice = reply["choices"][0]
        usage = reply.get("usage") or {}
        return Answer(
            text=choice["message"]["content"] or "",
            latency_s=seconds,
            n_prompt_tokens=int(usage.get("prompt_tokens") or 0),
            n_new_tokens=int(usage.get("completion_tokens") or 0),
            finish_reason="length" if choice.get("finish_reason") == "length" else "stop",
            mean_logprob=_mean_logprob(choice),
        )

    def perplexity(self, items: Sequence[Referenced]) -> list[float | None]:
        return [None] * len(items)


def answer_of(done: Any) -> Answer:
    """The ``Answer`` of a continuous-engine request (``engine.Done``): its text, timing from
    submission, token counts, finish reason, confidence and error."""
    r = done.result
    return Answer(r.text, done.e2e_s, r.n_prompt_tokens, r.n_new_tokens, r.finish_reason,
                  r.mean_logprob, error=done.error)  # fmt: skip


def _mean_logprob(choice: dict[str, Any]) -> float:
    """The mean of ``choices[0].logprobs.content[*].logprob`` where the server sends them."""
    content = (choice.get("logprobs") or {}).get("content") or []
    values = [t["logprob"] for t in content if isinstance(t, dict) and "logprob" in t]
    return sum(values) / len(values) if values else math.nan


def backend_from(cfg: Any) -> LocalBackend | EndpointBackend:
    """The backend a stage config names (``eval``, ``assistant``: its ``endpoint``,
    ``endpoint_model``, ``api_key_env``, ``model``, ``adapter``, ``batch_size``, ``dtype``,
    ``engine``):
    the endpoint when one is set, else the local model with its adapter."""
    if cfg.endpoint:
        return EndpointBackend(
            cfg.endpoint,
            cfg.endpoint_model or cfg.model,
            api_key_env=cfg.api_key_env,
            concurrency=cfg.batch_size,
        )
    model = None if cfg.model == "default" and cfg.adapter else cfg.model
    adapter = str(cfg.adapter) if cfg.adapter else None
    engine = getattr(cfg, "engine", "static")
    return LocalBackend(
        model, adapter, batch_size=cfg.batch_size, dtype=cfg.dtype, engine=engine,
        prefix_cache_mb=getattr(cfg, "prefix_cache_mb", 0),
    )  # fmt: skip
