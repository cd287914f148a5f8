"""The model versions a server answers with, behind one interface.

- ``LocalVersions``: the base model in this process with any number of LoRA adapters, every
  version decoded by one continuous-batching ``Engine`` (a batch can mix versions). Version
  ``base`` is the model alone; each adapter's name is a version.
- ``UpstreamVersions``: an OpenAI-compatible server does the generation (vLLM with
  ``--enable-lora --lora-modules NAME=PATH``, llama.cpp's ``llama-server``, a hosted API).
  Version ``base`` is ``upstream_model``; each adapter name is the upstream model of that name.

Both give, per request, a ``Call``: what the answer pipeline generates with (its ``generate``
is the ``domainsft.models`` backend interface) and what a plain request streams from, with the
engine's timings kept for the metrics.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from domainsft.models.backends import Answer, Generation, answer_of
from domainsft.models.chat import Message
from domainsft.models.engine import BASE, Delta, Done, Engine, Event, Sampling, Stream
from domainsft.models.generation import GenerationResult
from domainsft.utils.jsonl import InputError

BASE_VERSION = "base"


def parse_adapters(items: Sequence[str]) -> dict[str, Path]:
    """``["v1=runs/a/adapter", ...]`` -> {"v1": Path(...)}; a bare path takes its folder name."""
    out: dict[str, Path] = {}
    for item in items:
        name, sep, path = item.partition("=")
        if not sep:
            path, name = (
                item,
                Path(item).name if Path(item).name != "adapter" else Path(item).parent.name,
            )
        name = name.strip()
        if (
            not name
            or name == BASE_VERSION
            or not name.replace("-", "").replace("_", "").replace(".", "").isalnum()
        ):
            raise InputError(
                f"--adapter {item!r}: give NAME=PATH with a name of letters, digits, '-', '_' "
                f"or '.' other than {BASE_VERSION!r} (e.g. --adapter v1=runs/demo/train/adapter)"
            )
        if name in out:
            raise InputError(f"--adapter: the name {name!r} is given twice")
        out[name] = Path(path)
    return out


@dataclass
class Call:
    """One request's use of one version. ``done`` collects the engine's last event of every
    generation it ran (the pipeline may generate once or not at all)."""

    version: str
    name: str
    submit: Callable[..., Stream]
    done: list[Done] = field(default_factory=list)
    streams: list[Stream] = field(default_factory=list)
    cancelled: bool = False
    max_new_tokens: int | None = None  # the request's limit, over the pipeline's own

    # the domainsft.models backend interface, for Assistant.answer(question, backend=call)
    def generate(
        self, prompts: Sequence[list[Message]], gen: Generation, progress: bool = False
    ) -> list[Answer]:
        limit = self.max_new_tokens or gen.max_new_tokens
        sampling = Sampling(
            max_new_tokens=limit, temperature=gen.temperature, stop=tuple(gen.until)
        )
        streams = [self.submit(p, sampling) for p in prompts]
        self.streams.extend(streams)
        if self.cancelled:
            for s in streams:
                s.cancel()
        answers = []
        for s in streams:
            d = s.result()
            self.done.append(d)
            answers.append(answer_of(d))
        return answers

    def stream(
        self, prompt: list[Message] | str, sampling: Sampling, on_event: Callable[[Event], None]
    ) -> Stream:
        s = self.submit(prompt, sampling, on_event=on_event)
        self.streams.append(s)
        return s

    def cancel(self) -> None:
        """The client went away or the request timed out: free every batch slot it holds."""
        self.cancelled = True
        for s in self.streams:
            s.cancel()

    @property
    def prompt_tokens(self) -> int:
        return sum(d.result.n_prompt_tokens for d in self.done)

    @property
    def generation_tokens(self) -> int:
        return sum(d.result.n_new_tokens for d in self.done)

    @property
    def cached_tokens(self) -> int:  # prompt tokens the prefix cache held
        return sum(d.cached_tokens for d in self.done)

    def timings(self) -> tuple[float | None, float | None]:
        """(time to first token, time per output token) of the last generation, if any."""
        if not self.done:
            return None, None
        d = self.done[-1]
        n = d.result.n_new_tokens
        tpot = (d.e2e_s - d.ttft_s) / (n - 1) if n > 1 else None
        return (d.ttft_s if n else None), tpot


class LocalVersions:
    """The base model and its adapters in this process, decoded by one engine."""

    def __init__(
        self,
        model: str | None,
        adapters: dict[str, Path],
        *,
        dtype: str = "auto",
        max_batch: int = 8,
        max_waiting: int = 64,
        prefix_cache_mb: float = 0,
    ):
        from domainsft.models import load_model, pick_device

        device = pick_device()
        base, self.tokenizer = load_model(model, dtype=dtype, device=device, trainable=False)
        net: Any = base
        if adapters:
            from domainsft.utils.imports import require

            peft = require("peft", "train")
            items = list(adapters.items())
            for name, path in items:
                if not (path / "adapter_config.json").exists():
                    raise InputError(
                        f"--adapter {name}={path}: no adapter_config.json there; give the "
                        "folder `domainsft train` wrote (e.g. runs/demo/train/adapter)"
                    )
            net = peft.PeftModel.from_pretrained(base, str(items[0][1]), adapter_name=items[0][0])
            for name, path in items[1:]:
                net.load_adapter(str(path), adapter_name=name)
        self.engine = Engine(
            net.eval(),
            self.tokenizer,
            max_batch=max_batch,
            max_waiting=max_waiting,
            prefix_cache_mb=prefix_cache_mb,
            autocast=dtype != "float32",
            name=model or "default",
        )
        self.names = [BASE_VERSION, *adapters]
        self.label = model or "default"

    def call(self, version: str) -> Call:
        adapter = None if version == BASE_VERSION else version

        def submit(prompt: Any, sampling: Sampling, on_event: Any = None) -> Stream:
            return self.engine.submit(prompt, sampling, adapter, on_event)

        return Call(version, f"{self.label}:{version}", submit)

    def count_tokens(self, prompt: list[Message] | str) -> int:
        from domainsft.models.generation import encode_prompt

        return len(encode_prompt(self.tokenizer, prompt))

    def load(self) -> dict[str, tuple[int, int]]:
        by = self.engine.load_by_adapter()
        return {v: by.get(BASE if v == BASE_VERSION else v, (0, 0)) for v in self.names}

    def close(self) -> None:
        self.engine.close(drain=True)


class UpstreamVersions:
    """Generation by an OpenAI-compatible server; every version is one of its model names."""

    def __init__(
        self,
        base_url: str,
        model: str,
        adapters: dict[str, Path],
        *,
        api_key_env: str | None = None,
        timeout_s: float = 300.0,
    ):
        from domainsft.models.openai_api import ChatClient, EndpointError, Hints

        key = os.environ.get(api_key_env) if api_key_env else None
        hints = Hints(
            base_url="serve.upstream",
            model="serve.upstream_model",
            api_key_env="serve.upstream_api_key_env",
            timeout="serve.request_timeout_s",
            what="the upstream model server",
        )
        self.client = ChatClient(base_url, key, api_key_env, timeout_s, hints=hints)
        self.models = {BASE_VERSION: model, **{name: name for name in adapters}}
        served = self.client.models()
        missing = [m for m in self.models.values() if served is not None and m not in served]
        if missing:
            raise EndpointError(
                f"{base_url} serves no model {', '.join(map(repr, missing))}; it serves: "
                f"{', '.join(served or [])}. With vLLM, serve adapters with --enable-lora "
                "--lora-modules NAME=PATH under the names given to --adapter"
            )
        self.names = list(self.models)
        self.label = base_url
        self._running: dict[str, int] = dict.fromkeys(self.names, 0)
        self._lock = threading.Lock()  # the counts move on the request threads

    def call(self, version: str) -> Call:
        model = self.models[version]

        def submit(prompt: Any, sampling: Sampling, on_event: Any = None) -> Stream:
            return self._request(version, model, prompt, sampling, on_event)

        return Call(version, f"{self.label}#{model}", submit)

    def _request(
        self, version: str, model: str, prompt: Any, sampling: Sampling, on_event: Any
    ) -> Stream:
        """One upstream request on a thread of its own; its answer arrives as one Delta."""
        from domainsft.models.openai_api import RequestFailed

        stream = Stream(0, on_event)
        messages = [{"role": "user", "content": prompt}] if isinstance(prompt, str) else prompt
        params: dict[str, Any] = {
            "max_tokens": sampling.max_new_tokens,
            "temperature": sampling.temperature,
        }
        if sampling.top_p < 1:
            params["top_p"] = sampling.top_p
        if sampling.stop:
            params["stop"] = list(sampling.stop)

        def run() -> None:
            start = time.perf_counter()
            with self._lock:
                self._running[version] += 1
            error, text, usage, finish = None, "", {}, "stop"
            try:
                reply = self.client.completion(model, messages, **params)
                choice = reply["choices"][0]
                text = choice["message"]["content"] or ""
                usage = reply.get("usage") or {}
                finish = "length" if choice.get("finish_reason") == "length" else "stop"
            except (RequestFailed, OSError) as exc:
                error, finish = str(exc), "error"
            finally:
                with self._lock:
                    self._running[version] -= 1
            took = time.perf_counter() - start
            if text:
                stream._push(Delta(text, int(usage.get("completion_tokens") or 0)))
            result = GenerationResult(
                text,
                int(usage.get("prompt_tokens") or 0),
                int(usage.get("completion_tokens") or 0),
                took,
                float("nan"),
                finish,
            )
            stream._push(Done(result, 0.0, took, took, error))

        threading.Thread(target=run, daemon=True, name=f"upstream-{version}").start()
        return stream

    def count_tokens(self, prompt: list[Message] | str) -> int:
        text = prompt if isinstance(prompt, str) else " ".join(m["content"] for m in prompt)
        return len(text) // 3  # no tokenizer here: a bound good enough for the 413 check

    def load(self) -> dict[str, tuple[int, int]]:
        return {v: (n, 0) for v, n in self._running.items()}

    def close(self) -> None:
        return None
