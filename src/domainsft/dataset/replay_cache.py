"""On-disk cache of self-distilled replay answers, keyed by model and prompt.

One JSONL file per model under ``<cache_root>/replay/`` (``$DOMAINSFT_CACHE``, see
``domainsft.models.cache_root``), appended after each generated batch, so an interrupted run
keeps what it finished and a rebuild generates nothing it has seen.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from domainsft.models.gguf import cache_root
from domainsft.models.source import resolve_model


def model_key(spec: str) -> str:
    """Identity of a model spec: the hub id, or the resolved path with each weight file's name,
    size and modification time (a model retrained into the same folder gets a new key)."""
    source = resolve_model(spec)
    if source.kind == "hub":
        ident: object = source.location
    else:
        path = source.path
        files = [path] if path.is_file() else sorted(p for p in path.iterdir() if p.is_file())
        ident = [source.location] + [
            [p.name, p.stat().st_size, p.stat().st_mtime_ns] for p in files
        ]
    digest = hashlib.sha256(json.dumps(ident).encode()).hexdigest()[:16]
    name = "".join(c if c.isalnum() or c in "-_." else "_" for c in Path(source.location).name)
    return f"{name}-{digest}"


def answer_key(messages: list[dict[str, str]], max_new_tokens: int) -> str:
    body = json.dumps([messages, max_new_tokens], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()[:32]


class AnswerCache:
    """``key -> (text, finish_reason)`` for one model, backed by an append-only JSONL file."""

    def __init__(self, model_spec: str) -> None:
        self.path = cache_root() / "replay" / f"{model_key(model_spec)}.jsonl"
        self._answers: dict[str, tuple[str, str]] = {}
        if self.path.exists():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:  # a run killed mid-write leaves a partial last line: skip it
                    rec = json.loads(line)
                    self._answers[rec["key"]] = (rec["text"], rec["finish_reason"])
                except (json.JSONDecodeError, KeyError, TypeError):
                    continue

    def __contains__(self, key: str) -> bool:
        return key in self._answers

    def __getitem__(self, key: str) -> tuple[str, str]:
        return self._answers[key]

    def put_many(self, items: Iterable[tuple[str, str, str]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as fh:
            for key, text, finish in items:
                self._answers[key] = (text, finish)
                rec = {"key": key, "text": text, "finish_reason": finish}
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
