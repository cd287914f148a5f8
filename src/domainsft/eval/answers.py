"""Generated answers, kept on disk as they come, so a long evaluation resumes where it stopped.

Generation is the slow part of an evaluation (TAT-QA dev on a CPU takes hours); scoring is
seconds. Answers are generated in chunks and each chunk is appended to
``OUT/answers/<task>.jsonl`` at once. Each line is keyed by the item id and a fingerprint of
what decides the answer (the model, the prompt, the generation settings), so a rerun with the
same settings generates only what is missing, and a changed model or prompt generates afresh.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from domainsft.eval.items import EvalItem
from domainsft.models.backends import Answer, Generation

CHUNK_BATCHES = 2  # batches per chunk written to disk (and per progress-bar step)


def fingerprint(item: EvalItem, model: dict[str, Any], gen: Generation) -> str:
    blob = json.dumps([item.prompt, model, asdict(gen)], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


class AnswerStore:
    """``answers/<task>.jsonl``: one line per generated answer, appended chunk by chunk."""

    def __init__(self, path: Path, model: dict[str, Any], gen: Generation):
        self.path, self.model, self.gen = path, model, gen
        self.known: dict[tuple[str, str], tuple[Answer, float]] = {}
        if path.exists():
            self._load()

    def _load(self) -> None:
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                rec = json.loads(line)
                fields = rec["answer"]
                if fields.get("mean_logprob") is None:
                    fields["mean_logprob"] = math.nan
                answer = Answer(**fields)
            except (ValueError, KeyError, TypeError):
                continue  # a line cut short by a kill: that answer is generated again
            self.known[(rec["id"], rec["key"])] = (answer, float(rec.get("chunk_s", 0.0)))

    def get(self, item: EvalItem) -> tuple[Answer, float] | None:
        return self.known.get((item.id, fingerprint(item, self.model, self.gen)))

    def add(self, items: list[EvalItem], answers: list[Answer], seconds: float) -> None:
        """Append one chunk; ``seconds`` (its wall time) is shared out over its answers."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        share = seconds / max(len(answers), 1)
        with self.path.open("a", encoding="utf-8") as fh:
            for item, answer in zip(items, answers, strict=True):
                if answer.error:
                    continue  # a failed request is tried again on the next run
                key = fingerprint(item, self.model, self.gen)
                rec = {"id": item.id, "key": key, "chunk_s": share, "answer": _json(answer)}
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
                self.known[(item.id, key)] = (answer, share)


def _json(answer: Answer) -> dict[str, Any]:
    out = asdict(answer)
    if isinstance(out["mean_logprob"], float) and math.isnan(out["mean_logprob"]):
        out["mean_logprob"] = None
    return out


def chunks(indices: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(indices), size):
        yield indices[start : start + size]


def answer_all(
    items: list[EvalItem],
    store: AnswerStore,
    generate: Callable[[list[EvalItem]], list[Answer]],
    chunk_size: int,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[Answer], float]:
    """Every item's answer (stored ones reused) and the generation wall time they took."""
    import time

    todo = [i for i, it in enumerate(items) if store.get(it) is None]
    # longest prompts first, as batched generation orders them, so chunks pad little
    todo.sort(key=lambda i: -sum(len(m["content"]) for m in items[i].prompt))
    if progress is not None:
        progress(len(items) - len(todo))
    fresh: dict[int, Answer] = {}
    for chunk in chunks(todo, chunk_size):
        start = time.perf_counter()
        answers = generate([items[i] for i in chunk])
        store.add([items[i] for i in chunk], answers, time.perf_counter() - start)
        fresh.update(zip(chunk, answers, strict=True))
        if progress is not None:
            progress(len(chunk))
    out, wall = [], 0.0
    for i, item in enumerate(items):
        stored = store.get(item)
        if stored is not None:
            out.append(stored[0])
            wall += stored[1]
        else:  # a failed request: scored as failed, not stored
            out.append(fresh[i])
    return out, wall
