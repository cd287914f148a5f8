"""The record types every stage speaks.

Stages never import each other; they meet through these records and the JSONL files that hold
them. Records are plain dataclasses so that they serialise to exactly the JSON a user sees.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any


@dataclass
class TermAnnotation:
    """A financial term found in page text, mapped to a metric id of the domain pack.

    The original text is never rewritten; ``start``/``end`` index into ``Page.text``.
    """

    start: int
    end: int
    surface: str
    metric: str


@dataclass
class Page:
    """One physical page of one document, as produced by ``domainsft ingest``."""

    doc_id: str  # sha256 of the file bytes: the same report under two names is one document
    source: str  # path as given by the user
    page: int  # 1-based physical page number
    text: str  # reading order, wrapped lines re-joined, headers/footers removed, redacted
    tables: list[list[list[str]]] = field(default_factory=list)  # tables -> rows -> cells
    flags: dict[str, bool] = field(
        default_factory=lambda: {"ocr": False, "empty": False, "garbled": False, "duplicate": False}
    )
    lang: str = "und"  # "zh", "en" or "und"
    removed_lines: list[str] = field(default_factory=list)  # header/footer lines taken out
    terms: list[TermAnnotation] = field(default_factory=list)
    redactions: dict[str, int] = field(default_factory=dict)  # counts by type, never values
    duplicate_of: str | None = None  # "doc_id:page" of the earlier near-identical page

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Page:
        known = {f.name for f in fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"unknown page field(s): {sorted(unknown)}")
        d = dict(d)
        d["terms"] = [TermAnnotation(**t) for t in d.get("terms", [])]
        return cls(**d)


@dataclass
class Reject:
    """An input that could not be processed, with the reason. Nothing vanishes silently."""

    source: str
    reason: str
    stage: str
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Fact:
    """One figure (or basic-information text) read from a report, with where it was printed.

    ``value`` is a Decimal string in base units (yuan, dollars, percent points, persons) for
    numbers and the text itself for ``unit == "text"``; ``scale`` is the scale it was printed in
    (元, 万元, 百万元, thousands, millions ...), kept beside it and never applied twice.
    """

    fact_id: str  # "<doc_id[:12]>:p<page>:<table>.<row>.<col>" (or :s<sentence>.<n> for text)
    doc_id: str  # sha256 of the report file
    source: str
    company: str  # full name as printed
    company_short: str
    stock_code: str
    report_year: int  # the fiscal year the report covers
    fiscal_year: int  # the fiscal year the value belongs to (prior-year columns: one less)
    period: str  # "year" (a flow over the fiscal year), "instant" (a balance at its end), ""
    period_end: str  # ISO date the period ends, where printed or known; else ""
    metric: str  # metric id of the domain pack's taxonomy
    label: str  # the row label (or the words in running text) as printed
    value: str
    unit: str  # CNY, USD, %, persons, CNY/share, shares, text ...
    scale: str
    printed: str  # the cell as printed
    statement: str  # key_figures, income, balance, cash_flow, notes, mdna, profile, employees
    scope: str  # consolidated, parent or "" (not a financial statement)
    page: int  # 1-based
    table: int | None  # index into Page.tables; None for running text
    row: int | None
    col: int | None
    evidence: str  # the printed row or sentence
    confidence: float  # 1.0 exact label in a located statement with unit and period found
    lang: str = "und"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Fact:
        known = {f.name for f in fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"unknown fact field(s): {sorted(unknown)}")
        return cls(**d)


@dataclass
class Example:
    """One SFT example: a chat conversation plus the provenance every answer must carry.

    ``meta`` holds at least: ``family`` (task family), ``lang``, ``doc_ids``, ``pages``
    (``[[doc_id, page], ...]``), ``fact_ids``, ``gold`` (``{"value", "unit", "places"}`` or
    None), ``is_negative``, ``is_replay``, ``with_context`` and, once split, ``split``.
    """

    id: str
    messages: list[dict[str, str]]  # {"role": "system"|"user"|"assistant", "content": ...}
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Example:
        unknown = set(d) - {"id", "messages", "meta"}
        if unknown:
            raise ValueError(f"unknown example field(s): {sorted(unknown)}")
        return cls(id=d["id"], messages=d["messages"], meta=d.get("meta", {}))


def read_facts(path: str | Path) -> list[Fact]:
    """A ``facts.jsonl`` (``domainsft facts``) → facts; a bad line names the file and line."""
    from domainsft.utils.jsonl import InputError, read_jsonl

    out = []
    for lineno, rec in read_jsonl(path):
        try:
            out.append(Fact.from_dict(rec))
        except (TypeError, ValueError) as exc:
            raise InputError(
                f"{path}:{lineno}: not a fact ({exc}); regenerate it with "
                "`domainsft facts CORPUS --out FILE`"
            ) from None
    return out
