"""What an evaluation runs on: ``EvalItem`` (a prompt, its gold and where it came from) and the
page texts that citations and numbers are checked against.

Every eval suite (the dataset's test split, TAT-QA, the Enterprise RAG Challenge questions, the
general set) turns its own records into ``EvalItem``s; every metric reads only ``EvalItem``,
the model's output and ``PageTexts``. A dataset example becomes an item by dropping its last
assistant turn (the reference answer) and deriving a scorer gold record from ``meta.gold``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from domainsft.corpus import iter_pages, page_text
from domainsft.numbers import format_quantity
from domainsft.utils.jsonl import InputError, read_jsonl

Message = dict[str, str]


@dataclass
class EvalItem:
    """One question.

    ``gold`` is a scorer gold record (``{"id", "answer", "unit"?, "decimals"?, "pages"?}``, see
    ``eval.gold``) or None where no single answer exists (a multi-part table, a summary, an
    open general prompt); those are scored by the part metrics against ``reference`` and
    ``meta["cells"]``. ``meta`` is the dataset example's meta where there is one: ``doc_ids``,
    ``pages`` (``[[doc_id, page], ...]``), ``cells``, ``formula``, ``is_negative`` ...
    """

    id: str
    prompt: list[Message]  # the conversation up to the answer: system?, user (, ...)
    reference: str | None = None  # a reference answer, when the suite has one
    gold: dict[str, Any] | None = None
    family: str = ""  # task family (lookup, derived, ...) or the suite's own category
    lang: str = "und"
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def question(self) -> str:
        """The last user turn."""
        return next((m["content"] for m in reversed(self.prompt) if m["role"] == "user"), "")


# --------------------------------------------------------------------------- dataset examples

_EXAMPLE_SHAPE = '{"id": ..., "messages": [..., {"role": "assistant", ...}], "meta": {...}}'


def items_from_examples(path: str | Path, limit: int | None = None) -> list[EvalItem]:
    """A dataset split (``test.jsonl``, messages format) → items; replay examples are skipped
    (they have no gold; the general suite measures forgetting instead)."""
    path = Path(path)
    items: list[EvalItem] = []
    for lineno, rec in read_jsonl(path):
        where = f"{path}:{lineno}"
        item = item_from_example(rec, where)
        if item is not None:
            items.append(item)
        if limit is not None and len(items) >= limit:
            break
    if not items:
        raise InputError(f"{path}: no examples to evaluate; each line must be {_EXAMPLE_SHAPE}")
    return items


def item_from_example(rec: dict[str, Any], where: str) -> EvalItem | None:
    messages = rec.get("messages")
    if rec.get("id") in (None, ""):
        raise InputError(f'{where}: no "id"; each line must be {_EXAMPLE_SHAPE}')
    if not isinstance(messages, list) or not messages:
        raise InputError(f'{where}: no "messages" list; each line must be {_EXAMPLE_SHAPE}')
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or not isinstance(m.get("content"), str) or "role" not in m:
            raise InputError(
                f'{where}: messages[{i}] must be {{"role": ..., "content": "..."}}; fix that turn'
            )
    if messages[-1]["role"] != "assistant":
        raise InputError(
            f"{where}: the last message is {messages[-1]['role']!r}, not the assistant's answer; "
            "an eval example ends with its reference answer"
        )
    meta = rec.get("meta") or {}
    if meta.get("is_replay"):
        return None
    eid = str(rec["id"])
    return EvalItem(
        id=eid,
        prompt=[{"role": m["role"], "content": m["content"]} for m in messages[:-1]],
        reference=messages[-1]["content"],
        gold=gold_from_meta(eid, meta),
        family=str(meta.get("family", "")),
        lang=str(meta.get("lang", "und")),
        meta=meta,
    )


def gold_from_meta(eid: str, meta: dict[str, Any]) -> dict[str, Any] | None:
    """The scorer gold record of a dataset example: its ``meta.gold`` printed the way the
    report prints it (``$795.1 million``, ``11.75亿元``) with the precision it was asked at;
    ``N/A`` for a negative; the claim's truth for a claim; None for a multi-part answer."""
    pages = [[str(d), int(p)] for d, p in meta.get("pages") or []]
    base: dict[str, Any] = {"id": eid}
    if pages:
        base["pages"] = [f"{d}:{p}" for d, p in pages]
    if meta.get("is_negative"):
        return {"id": eid, "answer": "N/A"}
    if meta.get("family") == "claim" and "claim_true" in meta:
        return base | {"answer": bool(meta["claim_true"])}
    gold = meta.get("gold")
    if not gold:
        return None
    if gold.get("unit") == "text":
        return base | {"answer": str(gold["value"]), "type": "text"}
    places = int(gold.get("places", 2))
    printed = format_quantity(
        Decimal(str(gold["value"])),
        gold.get("unit") or "",
        gold.get("scale") or "1",
        places,
        "en" if meta.get("lang") == "en" else "zh",
    )
    return base | {"answer": printed, "decimals": places}


# --------------------------------------------------------------------------------- page texts


class PageTexts:
    """``(doc_id, page) → text`` of an ingested corpus (``pages.jsonl``), 1-based pages."""

    def __init__(self, texts: dict[tuple[str, int], str] | None = None):
        self.texts = dict(texts or {})

    def __len__(self) -> int:
        return len(self.texts)

    def get(self, doc_id: str | None, page: int) -> str | None:
        """The page's text; with ``doc_id`` None, the page of the only document that has it."""
        if doc_id is not None:
            return self.texts.get((doc_id, page))
        hits = [t for (d, p), t in self.texts.items() if p == page]
        return hits[0] if len(hits) == 1 else None

    @classmethod
    def load(cls, path: str | Path) -> PageTexts:
        """From ``pages.jsonl`` or a corpus folder that holds one (``domainsft ingest --out``);
        a page's table rows follow its text, one row a line."""
        return cls({(p.doc_id, p.page): page_text(p) for p in iter_pages(path)})
