"""TAT-QA (hybrid table + text questions over real annual reports) → ``EvalItem``s.

One item per question: the table as Markdown rows and the paragraphs, then the question. The
gold is TAT-QA's answer with its scale as the unit (``million``, ``percent`` ...) and 2
decimals for numbers, which is the official exact match: both sides rounded to 2 decimals of
the printed scale (shared/data/README.md). A multi-span answer is a list: every span must be
in the output.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from domainsft.eval.items import EvalItem
from domainsft.eval.suites.common import analyst_system, existing, shared_data
from domainsft.numbers import parse_quantity
from domainsft.utils.jsonl import InputError

SCALE_WORDS = {"thousand": " thousand", "million": " million", "billion": " billion"}
INSTRUCTION = (
    "Answer briefly. Give a number with its scale (thousand, million, billion) or a % sign "
    "where it has one; list several items separated by semicolons."
)
_SHAPE = '[{"table": {"table": [[...]]}, "paragraphs": [...], "questions": [...]}]'


def load_tatqa(
    source: str | Path | None = None,
    *,
    limit: int | None = None,
    max_chars: int | None = None,
    system_prompt: str | None = None,
) -> list[EvalItem]:
    """TAT-QA dev (default) or test-gold JSON → items, in file order. ``max_chars`` cuts the
    paragraphs (never the table) so that the context fits a short-context model; a cut item
    has ``meta["truncated"]``. By default nothing is cut (a few contexts pass 2k tokens)."""
    path = existing(
        source or shared_data("qa", "tatqa", "tatqa_dataset_dev.json"), "tatqa", "TAT-QA file"
    )
    system = system_prompt or analyst_system("en")
    items: list[EvalItem] = []
    for i, doc in enumerate(_read(path)):
        where = f"{path}: document {i}"
        context, cut = fit(render_context(doc, where), max_chars)
        for j, q in enumerate(doc.get("questions") or []):
            if limit is not None and len(items) >= limit:
                return items
            item = _item(q, context, system, f"{where}, question {j}")
            item.meta["truncated"] = cut
            items.append(item)
    return items


def _read(path: Path) -> list[dict[str, Any]]:
    try:
        docs = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not a UTF-8 JSON file ({exc}); expected {_SHAPE}") from None
    if not isinstance(docs, list) or not all(isinstance(d, dict) for d in docs):
        raise InputError(f"{path}: expected a JSON list of documents, {_SHAPE}")
    return docs


def render_context(doc: dict[str, Any], where: str) -> str:
    """The table as ``| a | b |`` rows (empty rows dropped, runs of spaces folded) and the
    paragraphs in their reading order: compact, because the context is most of the prompt."""
    table = (doc.get("table") or {}).get("table")
    paragraphs = doc.get("paragraphs")
    if not isinstance(table, list) or not isinstance(paragraphs, list):
        raise InputError(f'{where}: needs "table": {{"table": [[...]]}} and "paragraphs": [...]')
    rows = []
    for row in table:
        cells = [" ".join(str(c).split()) for c in row]
        if any(cells):
            rows.append("| " + " | ".join(cells) + " |")
    ordered = sorted(paragraphs, key=lambda p: int(p.get("order", 0)))
    texts = [" ".join(str(p.get("text", "")).split()) for p in ordered]
    return "Table:\n" + "\n".join(rows) + "\n\nText:\n" + "\n".join(t for t in texts if t)


def fit(context: str, max_chars: int | None) -> tuple[str, bool]:
    """``(context, was_cut)``: the paragraphs cut so that the whole is at most ``max_chars``
    where the table leaves room; the table is never cut (its rows are what most answers use)."""
    if max_chars is None or len(context) <= max_chars:
        return context, False
    table, sep, text = context.partition("\n\nText:\n")
    return table + sep + text[: max(max_chars - len(table) - len(sep), 0)], True


def _item(q: dict[str, Any], context: str, system: str, where: str) -> EvalItem:
    for key in ("uid", "question", "answer", "answer_type"):
        if key not in q:
            raise InputError(f'{where}: no "{key}"; a TAT-QA question has uid, question, answer')
    scale = str(q.get("scale") or "")
    answer = gold_answer(q["answer"], where)
    gold: dict[str, Any] = {"id": str(q["uid"]), "answer": answer}
    if scale:
        gold["unit"] = scale
    if any(parse_quantity(str(a)) is not None for a in _as_list(answer)):
        gold["decimals"] = 2
    user = f"{context}\n\nQuestion: {q['question']}\n{INSTRUCTION}"
    return EvalItem(
        id=str(q["uid"]),
        prompt=[{"role": "system", "content": system}, {"role": "user", "content": user}],
        reference=answer_text(answer, scale),
        gold=gold,
        family=str(q["answer_type"]),
        lang="en",
        meta={
            "derivation": q.get("derivation", ""),
            "answer_from": q.get("answer_from", ""),
            "scale": scale,
        },
    )


def gold_answer(answer: Any, where: str) -> Any:
    """A one-span list → its string; empty spans dropped (a few dev answers hold ``""``)."""
    if isinstance(answer, bool) or not isinstance(answer, list | str | int | float):
        raise InputError(f'{where}: "answer" must be a list of spans, a string or a number')
    if not isinstance(answer, list):
        return answer
    spans = [str(a).strip() for a in answer if str(a).strip()]
    if not spans:
        raise InputError(f'{where}: "answer" has no non-empty span')
    return spans[0] if len(spans) == 1 else spans


def _as_list(answer: Any) -> list[Any]:
    return answer if isinstance(answer, list) else [answer]


def answer_text(answer: Any, scale: str) -> str:
    """The answer as a model should print it: ``1,496.5 million``, ``12.5%``, spans joined by
    ``; `` (a bare number would read as units, not millions, against a scaled gold)."""
    return "; ".join(_with_scale(str(a), scale) for a in _as_list(answer))


def _with_scale(text: str, scale: str) -> str:
    q = parse_quantity(text)
    if q is None or q.scale != "1" or q.unit == "%":
        return text
    if scale == "percent":
        return f"{text}%"
    return text + SCALE_WORDS.get(scale, "")
