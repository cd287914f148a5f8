"""What an answer is checked against: the facts and the page passages the assistant retrieved.

``Evidence`` holds the facts of the reports in scope (``facts.jsonl`` records: value in base
units, unit, printed scale, page) and the passages shown to the model (``evidence.Passage``). A
figure of an answer is *backed* by a fact when the fact's value, rounded to the figure's printed
precision, equals it (``1,234,567,890.12`` backs ``12.35亿元``), and by a passage when the page
prints it in any form (``grounding.holds``: a table's ``795.1`` under "in millions" backs
``$795.1 million``). Signs are compared as printed only for facts whose sign means something;
costs printed as ``(1,459.6)`` back ``1,459.6``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal

from domainsft.evidence import Passage
from domainsft.grounding import holds, in_unit_of
from domainsft.numbers import Quantity, numbers_equal
from domainsft.records import Fact


@dataclass(frozen=True)
class Source:
    """Where a figure is printed: the report, its 1-based page and the printed line."""

    doc_id: str
    source: str
    page: int
    snippet: str = ""
    fact_id: str = ""


@dataclass
class Evidence:
    facts: list[Fact] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # doc_id -> file name as ingested

    def __post_init__(self) -> None:
        self._numeric = [(f, fact_quantity(f)) for f in self.facts if f.unit != "text"]
        for f in self.facts:
            self.sources.setdefault(f.doc_id, f.source)

    def numeric_facts(self) -> list[tuple[Fact, Quantity]]:
        return self._numeric

    def backing(self, q: Quantity) -> Source | None:
        """The first fact, else the first passage, that prints ``q`` (see the module doc)."""
        for f, fq in self._numeric:
            if states(q, fq):
                return fact_source(f)
        for p in self.passages:
            if holds(p.text, q):
                return Source(p.doc_id, self.sources.get(p.doc_id, ""), p.page, line_of(p.text, q))
        return None

    def on_page(self, q: Quantity, page: int) -> bool:
        """Whether page ``page`` of a report in scope prints ``q`` (a fact or a shown page)."""
        if any(f.page == page and states(q, fq) for f, fq in self._numeric):
            return True
        return any(holds(t, q) for t in self.page_text(None, page))

    def quantities(self) -> list[Quantity]:
        """Every numeric fact as a quantity, in fact order (operands for derivations)."""
        return [fq for _, fq in self._numeric]

    def pages(self) -> set[tuple[str, int]]:
        return {(f.doc_id, f.page) for f in self.facts} | {
            (p.doc_id, p.page) for p in self.passages
        }

    def page_text(self, doc_id: str | None, page: int) -> list[str]:
        """The texts shown of that page (of any document in scope when ``doc_id`` is None)."""
        return [p.text for p in self.passages if p.page == page and doc_id in (None, p.doc_id)]


def fact_quantity(f: Fact) -> Quantity:
    """A numeric fact as a quantity, at the precision it was printed with."""
    value = Decimal(f.value)
    unit = f.unit if f.unit in ("%", "pp") else (f.unit or "")
    q = Quantity(value=value, unit=unit, scale=f.scale or "1", printed=f.printed)
    return q


def fact_source(f: Fact) -> Source:
    return Source(f.doc_id, f.source, f.page, f.evidence, f.fact_id)


def states(q: Quantity, fact: Quantity) -> bool:
    """Whether answer figure ``q`` states ``fact`` at ``q``'s precision (sign aside)."""
    for r in in_unit_of(q, fact):
        a = replace(r, value=abs(r.value), unit="")
        b = replace(fact, value=abs(fact.value), unit="", quantum=a.precision)
        if numbers_equal(a, b):
            return True
    return False


def line_of(text: str, q: Quantity) -> str:
    """The line of ``text`` that holds ``q`` (for a citation's snippet), else ""."""
    for line in text.splitlines():
        if line.strip() and holds(line, q):
            return line.strip()[:200]
    return ""


def scoped(facts: Iterable[Fact], doc_ids: Iterable[str]) -> list[Fact]:
    wanted = set(doc_ids)
    return [f for f in facts if f.doc_id in wanted]
