"""Candidate facts before conflicts are settled, and how one is built from a cell."""

from __future__ import annotations

from dataclasses import dataclass

from domainsft.facts.identity import Identity
from domainsft.facts.periods import Period
from domainsft.facts.values import period_end, period_kind
from domainsft.numbers import Quantity
from domainsft.records import Fact, Page


@dataclass
class Candidate:
    fact: Fact
    block: int  # the statement block (heading) it was read under: conflicts are settled per block
    preferred: bool  # a total/net line, which wins over a sub-line of the same metric


@dataclass(frozen=True)
class Where:
    """Where a value was printed and under which heading."""

    page: Page
    statement: str
    scope: str
    table: int | None
    row: int | None
    col: int | None
    evidence: str
    offset: int | None = None  # a text line: where it (or the label) starts in Page.text
    sub: int = 0  # a text line holding several rows: which one


def fact_id(doc_id: str, w: Where, n: int = 0) -> str:
    if w.table is None:
        return f"{doc_id[:12]}:p{w.page.page}:c{w.offset}.{w.sub}.{w.col or n}"
    return f"{doc_id[:12]}:p{w.page.page}:{w.table}.{w.row}.{w.col}"


def _located(w: Where, ident: Identity, confidence: float, n: int = 0) -> dict:
    """The fields every fact takes from where it was printed; identity is filled in later."""
    return {
        "fact_id": fact_id(w.page.doc_id, w, n),
        "doc_id": w.page.doc_id,
        "source": w.page.source,
        "company": "",
        "company_short": "",
        "stock_code": "",
        "report_year": ident.report_year or 0,
        "statement": w.statement,
        "page": w.page.page,
        "table": w.table,
        "row": w.row,
        "col": w.col,
        "evidence": w.evidence,
        "confidence": round(confidence, 3),
        "lang": w.page.lang,
    }


def number_fact(
    ident: Identity,
    w: Where,
    metric: str,
    label: str,
    q: Quantity,
    period: Period,
    confidence: float,
    n: int = 0,
) -> Fact:
    return Fact(
        **_located(w, ident, confidence, n),
        fiscal_year=period.year,
        period=period_kind(period, metric),
        period_end=period_end(period, ident.report_year, ident.year_end),
        metric=metric,
        label=label,
        value=str(q.value),
        unit=q.unit,
        scale=q.scale,
        printed=q.printed,
        scope=w.scope,
    )


def text_fact(ident: Identity, w: Where, metric: str, label: str, value: str, conf: float) -> Fact:
    return Fact(
        **_located(w, ident, conf),
        fiscal_year=ident.report_year or 0,
        period="",
        period_end="",
        metric=metric,
        label=label,
        value=value,
        unit="text",
        scale="1",
        printed=value,
        scope="",
    )
