"""Evaluating the assistant, not only the model: a task answered through the answer pipeline.

``AssistantBackend`` wraps the model backend: each item's question (its last user turn; a
context block the dataset pasted in front is dropped by question understanding) goes through
``assistant.Assistant`` over the eval corpus, in mode ``grounded`` (the retrieved evidence in
the prompt, the model's answer as it is) or ``verified`` (the whole pipeline). The answers are
scored by the same metrics as the model's own, so a report shows model alone, + grounding and
+ verifier per family. Perplexity stays the model's (of the reference, given the item's prompt).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from domainsft.config import AssistantConfig
from domainsft.eval.spec import TaskSpec
from domainsft.models.backends import Answer, Generation
from domainsft.models.chat import Message, Referenced
from domainsft.utils.jsonl import InputError

MODES = ("grounded", "verified")


NOT_ABOUT_REPORTS = frozenset({"general"})  # suites whose questions no report answers


def with_assistant(specs: list[TaskSpec], modes: list[str], corpus: Path | None) -> list[TaskSpec]:
    """Each task, then its ``<task>+<mode>`` variants; the general set (forgetting) stays
    the model's alone: the pipeline would only abstain on it."""
    if not modes:
        return specs
    if corpus is None:
        raise InputError(
            "eval --assistant needs the corpus the assistant answers from: pass --corpus "
            "CORPUS (the folder with pages.jsonl and facts.jsonl)"
        )
    return [v for s in specs for v in [s, *(replace(s, name=f"{s.name}+{m}", assistant=m)
                                             for m in modes
                                             if s.suite not in NOT_ABOUT_REPORTS)]]  # fmt: skip


class SharedGenerations:
    """The model backend with a memory of its greedy answers by prompt: ``+grounded`` and
    ``+verified`` send the same grounded prompts (verified only skips those it abstains on
    before asking), so each is generated once per eval. Sampled answers are never reused."""

    def __init__(self, inner: Any):
        self.inner = inner
        self.answers: dict[tuple[str, Generation], Answer] = {}

    def __getattr__(self, name: str) -> Any:  # name, batch_size, perplexity, close ...
        return getattr(self.inner, name)

    def generate(
        self, prompts: Sequence[list[Message]], gen: Generation, progress: bool = True
    ) -> list[Answer]:
        if gen.temperature > 0:
            return list(self.inner.generate(prompts, gen, progress=progress))
        keys = [(json.dumps(p, ensure_ascii=False, sort_keys=True), gen) for p in prompts]
        todo = {k: p for k, p in zip(keys, prompts, strict=True) if k not in self.answers}
        if todo:
            said = self.inner.generate(list(todo.values()), gen, progress=progress)
            self.answers.update(zip(todo, said, strict=True))
        return [self.answers[k] for k in keys]


class AssistantBackend:
    def __init__(self, inner: Any, corpus: Path, mode: str, cfg: AssistantConfig | None = None):
        from domainsft.assistant.pipeline import Assistant

        if mode not in MODES:
            raise InputError(f"assistant mode {mode!r}: use one of {', '.join(MODES)}")
        on = mode == "verified"
        base = cfg or AssistantConfig()
        self.cfg = base.model_copy(update={"verifier": on, "guard": on and base.guard})
        self.inner = inner
        self.batch_size = getattr(inner, "batch_size", 8)
        self.name = f"{getattr(inner, 'name', 'model')}+{mode}"
        self.assistant = Assistant(corpus, inner, self.cfg)
        self.assistant.model_name = self.name

    def generate(
        self, prompts: Sequence[list[Message]], gen: Generation, progress: bool = True
    ) -> list[Answer]:
        self.assistant.cfg.max_new_tokens = gen.max_new_tokens
        questions = [
            next(m["content"] for m in reversed(p) if m["role"] == "user") for p in prompts
        ]
        replies = self.assistant.answer_many(questions)
        out = []
        for r in replies:
            g = r.generation
            out.append(
                Answer(
                    text=r.answer,
                    latency_s=r.latency_s,
                    n_prompt_tokens=g.n_prompt_tokens if g else 0,
                    n_new_tokens=g.n_new_tokens if g else 0,
                    finish_reason=g.finish_reason if g else "stop",
                    mean_logprob=g.mean_logprob if g else float("nan"),
                    n_pad_tokens=g.n_pad_tokens if g else 0,
                    error=g.error if g else None,
                )
            )
        return out

    def perplexity(self, items: Sequence[Referenced]) -> list[float | None]:
        return self.inner.perplexity(items)


def _last_user(prompt: list[Message]) -> str:
    return next(m["content"] for m in reversed(prompt) if m["role"] == "user")
