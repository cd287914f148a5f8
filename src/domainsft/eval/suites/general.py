"""The general-capability set: 100 short questions (50 zh, 50 en) with checkable answers,
asked before and after fine-tuning to measure what the fine-tune cost (catastrophic
forgetting). The questions live in ``general_set.jsonl`` beside this module: arithmetic, unit
conversions, percentages, well-established facts, yes/no, logic, reading a short passage,
calendar arithmetic and the output of small Python snippets. Each asks for the short answer
form, so the numeric matcher can score it. None of them is a training replay prompt
(``dataset/general_prompts.jsonl``): a set the model was trained on measures memory, not
retained ability.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from domainsft.eval.items import EvalItem
from domainsft.eval.suites.common import existing
from domainsft.utils.jsonl import InputError, read_jsonl

GENERAL_SET = Path(__file__).with_name("general_set.jsonl")
SYSTEM = {"en": "You are a helpful assistant.", "zh": "你是一个乐于助人的助手。"}
_SHAPE = '{"id", "category", "lang": "zh"|"en", "question", "answer", "unit"?}'


def load_general(
    source: str | Path | None = None,
    *,
    limit: int | None = None,
    lang: str | None = None,
    system_prompt: str | None = None,
) -> list[EvalItem]:
    """The built-in set (or a JSONL file of the same shape) → items; ``lang`` keeps one
    language. The system prompt is a generic one: forgetting is measured outside the domain."""
    path = existing(source or GENERAL_SET, "general", "general set")
    if lang not in (None, "zh", "en"):
        raise InputError(f"general suite: lang {lang!r}; use zh or en (or leave it out for both)")
    items: list[EvalItem] = []
    for lineno, rec in read_jsonl(path):
        item = general_item(rec, f"{path}:{lineno}", system_prompt)
        if lang is None or item.lang == lang:
            items.append(item)
    return items[:limit]


def general_item(rec: dict[str, Any], where: str, system_prompt: str | None = None) -> EvalItem:
    missing = [k for k in ("id", "category", "lang", "question", "answer") if k not in rec]
    if missing:
        raise InputError(f"{where}: no {', '.join(missing)}; each line must be {_SHAPE}")
    if rec["lang"] not in SYSTEM:
        raise InputError(f'{where}: "lang" is {rec["lang"]!r}; use "zh" or "en"')
    gold = {"id": str(rec["id"]), "answer": rec["answer"]}
    if rec.get("unit"):
        gold["unit"] = rec["unit"]
    system = system_prompt or SYSTEM[rec["lang"]]
    return EvalItem(
        id=str(rec["id"]),
        prompt=[
            {"role": "system", "content": system},
            {"role": "user", "content": rec["question"]},
        ],
        reference=printed_answer(rec),
        gold=gold,
        family=str(rec["category"]),
        lang=rec["lang"],
        meta={"category": rec["category"]},
    )


def printed_answer(rec: dict[str, Any]) -> str:
    """The gold as the short answer a model should give: ``12.5%``, ``Yes``, ``否``, ``Ottawa``."""
    answer = rec["answer"]
    if isinstance(answer, bool):
        return {("en", True): "Yes", ("en", False): "No"}.get(
            (rec["lang"], answer), "是" if answer else "否"
        )
    return f"{answer}{rec.get('unit') or ''}"
