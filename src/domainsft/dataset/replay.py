"""Replay: general instructions mixed into the data against catastrophic forgetting.

Fine-tuning only on annual-report questions pulls a small model away from everything else it
could do. Rehearsing a share of general instructions keeps it close to where it started. With
``replay_source: self`` the answers are the base model's own (greedy) answers to the bundled
general prompts, so the replay targets are in the model's own distribution and teach it nothing
new, only to keep what it has (self-distillation; Yang et al. 2024, "Self-Distillation Bridges
Distribution Gap in Language Model Fine-Tuning", arXiv:2402.13669). A path instead names a user
JSONL of ``{"messages": [...]}`` or ``{"instruction", "input", "output"}`` lines.

Replay examples go to train (with ``replay_in_val`` a ``val_share`` of them to val), never to
test, and carry no documents, so the company split never sees them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from domainsft.config import DatasetConfig
from domainsft.dataset import mix
from domainsft.dataset.render import rng_for
from domainsft.dataset.replay_cache import AnswerCache, answer_key
from domainsft.records import Example
from domainsft.utils.jsonl import InputError, read_jsonl

Progress = Callable[[int, int, str], None]
BATCH = 16  # prompts per generate() call; the cache is written after each
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_SENTENCE_END = re.compile(r"[.!?。！？](?=\s|$)|[。！？]")
_FORMATS = 'each line must be {"messages": [{"role": ..., "content": ...}, ...]} or ' + (
    '{"instruction": ..., "input": ..., "output": ...}'
)


def add(
    splits: dict[str, list[Example]], cfg: DatasetConfig, progress: Progress | None = None
) -> dict[str, Any]:
    """Add ``replay_share`` of the final dataset as replay to ``splits``; returns the stats."""
    want = mix.negatives_needed(sum(map(len, splits.values())), cfg.replay_share)
    pool: list[Example] = []
    truncated = 0
    if want:
        pool = _pool(cfg)
        chosen = mix.sample(pool, want, cfg.seed, "replay")
        if cfg.replay_source == "self":
            chosen, truncated = self_distil(chosen, cfg, progress)
        _place(chosen, splits, cfg)
    made = [ex for part in splits.values() for ex in part if ex.meta["is_replay"]]
    return {
        "source": describe(cfg),
        "requested_share": cfg.replay_share,
        "requested": want,
        "examples": len(made),
        "by_split": {k: sum(ex.meta["is_replay"] for ex in v) for k, v in splits.items()},
        "pool": len(pool),
        "truncated_answers": truncated,
    }


def describe(cfg: DatasetConfig) -> str:
    if cfg.replay_source == "self":
        return f"self-distilled answers of {cfg.replay_model} to the bundled general prompts"
    return cfg.replay_source


def _pool(cfg: DatasetConfig) -> list[Example]:
    if cfg.replay_source == "self":
        made = [_example([{"role": "user", "content": r["prompt"]}], r["lang"], r["id"])
                for r in bundled_prompts()]  # fmt: skip
    else:
        made = load_file(Path(cfg.replay_source))
    made = [mix.assign_id(ex) for ex in made if ex.meta["lang"] in cfg.langs]
    return mix.dedup(made)[0]


def bundled_prompts() -> list[dict[str, str]]:
    """The general prompts shipped with the package: ``{"id", "lang", "category", "prompt"}``."""
    path = resources.files("domainsft.dataset") / "general_prompts.jsonl"
    with resources.as_file(path) as p:
        return [record for _, record in read_jsonl(p)]


def load_file(path: Path) -> list[Example]:
    """A user's replay JSONL; a bad line is an error naming the file, the line and the fix."""
    if not path.is_file():
        raise InputError(
            f"dataset.replay_source: {path}: file not found; give 'self' (the base model's own "
            f"answers to bundled prompts) or a JSONL file where {_FORMATS}"
        )
    out = [_parse(record, f"{path}:{lineno}") for lineno, record in read_jsonl(path)]
    if not out:
        raise InputError(f"{path}: no replay lines; {_FORMATS}")
    return out


def _parse(record: dict[str, Any], where: str) -> Example:
    if "messages" in record:
        messages = _check_messages(record["messages"], where)
    elif "instruction" in record or "output" in record:
        messages = _from_alpaca(record, where)
    else:
        raise InputError(f"{where}: no `messages` and no `instruction`/`output` keys "
                         f"(got {sorted(record)}); {_FORMATS}")  # fmt: skip
    lang = record.get("lang") or _lang(" ".join(m["content"] for m in messages))
    return _example(messages, lang, record.get("id", ""))


def _check_messages(messages: Any, where: str) -> list[dict[str, str]]:
    roles = {"system", "user", "assistant"}
    if not isinstance(messages, list) or not messages:
        raise InputError(f"{where}: `messages` must be a non-empty list; {_FORMATS}")
    for i, m in enumerate(messages):
        if not (
            isinstance(m, dict) and m.get("role") in roles and isinstance(m.get("content"), str)
        ):
            raise InputError(
                f'{where}: message {i} must be {{"role": system|user|assistant, "content": '
                f"string}}, got {m!r:.80}"
            )
    if messages[-1]["role"] != "assistant" or not messages[-1]["content"].strip():
        raise InputError(
            f"{where}: the last message must be the non-empty answer to learn; end the list "
            'with {"role": "assistant", "content": "..."}'
        )
    if not any(m["role"] == "user" for m in messages):
        raise InputError(f"{where}: `messages` has no user turn; add the instruction as one")
    return [{"role": m["role"], "content": m["content"]} for m in messages]


def _from_alpaca(record: dict[str, Any], where: str) -> list[dict[str, str]]:
    parts = {k: record.get(k, "") for k in ("instruction", "input", "output", "system")}
    bad = [k for k, v in parts.items() if not isinstance(v, str)]
    if bad or not parts["instruction"].strip() or not parts["output"].strip():
        raise InputError(
            f"{where}: `instruction` and `output` must be non-empty strings (`input`, `system` "
            f"optional strings){f'; not a string: {bad}' if bad else ''}"
        )
    user = parts["instruction"] + (f"\n\n{parts['input']}" if parts["input"].strip() else "")
    system = [{"role": "system", "content": parts["system"]}] if parts["system"].strip() else []
    return [*system, {"role": "user", "content": user},
            {"role": "assistant", "content": parts["output"]}]  # fmt: skip


def _lang(text: str) -> str:
    return "zh" if len(_CJK.findall(text)) * 4 >= len(text.split()) else "en"


def _example(messages: list[dict[str, str]], lang: str, source_id: str) -> Example:
    meta = {
        "family": "replay",
        "company": "",
        "lang": lang,
        "doc_ids": [],
        "pages": [],
        "fact_ids": [],
        "gold": None,
        "is_negative": False,
        "is_replay": True,
        "with_context": False,
        "replay_id": source_id,
    }
    return Example(id="", messages=messages, meta=meta)


def self_distil(
    prompts: list[Example], cfg: DatasetConfig, progress: Progress | None
) -> tuple[list[Example], int]:
    """Each prompt with the base model's greedy answer; answers are cached on disk, so a
    rebuild generates only what it has not seen. Returns the examples and how many answers
    ran out of tokens (cut back to their last full sentence)."""
    cache = AnswerCache(cfg.replay_model)
    keys = [answer_key(ex.messages, cfg.replay_max_new_tokens) for ex in prompts]
    todo = [(k, ex) for k, ex in zip(keys, prompts, strict=True) if k not in cache]
    if todo:
        _generate(todo, cache, cfg, progress)
    out, truncated = [], 0
    for key, ex in zip(keys, prompts, strict=True):
        text, finish = cache[key]
        answer = _clean(text, finish)
        truncated += finish == "length"
        if answer:
            ex.messages = [*ex.messages, {"role": "assistant", "content": answer}]
            out.append(ex)
    return out, truncated


def _generate(todo: list, cache: AnswerCache, cfg: DatasetConfig, progress: Progress | None):
    from domainsft.models import generate, load_model

    model, tokenizer = load_model(cfg.replay_model, dtype="auto", device="auto", trainable=False)
    for start in range(0, len(todo), BATCH):
        chunk = todo[start : start + BATCH]
        results = generate(
            model,
            tokenizer,
            [ex.messages for _, ex in chunk],
            max_new_tokens=cfg.replay_max_new_tokens,
            temperature=0.0,
            batch_size=BATCH,
            progress=False,
        )
        cache.put_many(
            (key, r.text, r.finish_reason) for (key, _), r in zip(chunk, results, strict=True)
        )
        if progress:
            progress(start + len(chunk), len(todo), "replay answers")


def _clean(text: str, finish: str) -> str:
    """A cut-off answer (often a small model's loop) ends before its first repeated line and
    at its last full sentence, so training never teaches the model to loop or to stop
    mid-sentence; one with no sentence end is kept whole."""
    text = text.strip()
    if finish == "length":
        text = _before_repeat(text)
        ends = list(_SENTENCE_END.finditer(text))
        if ends:
            text = text[: ends[-1].end()]
    return text


def _before_repeat(text: str) -> str:
    lines, seen = text.split("\n"), set()
    for i, line in enumerate(lines):
        if line.strip() and line.strip() in seen:
            return "\n".join(lines[:i]).strip()
        seen.add(line.strip())
    return text


def _place(examples: list[Example], splits: dict[str, list[Example]], cfg: DatasetConfig):
    for ex in examples:
        to_val = cfg.replay_in_val and rng_for(cfg.seed, "replay-split", ex.id).random() < (
            cfg.val_share
        )
        ex.meta["split"] = "val" if to_val else "train"
        splits[ex.meta["split"]].append(ex)
    for part in splits.values():
        part.sort(key=lambda ex: ex.id)
