"""Rendering values, periods, citations and context from the domain pack's templates."""

from __future__ import annotations

import hashlib
import random

from domainsft.dataset.corpus import Report
from domainsft.domains.finance import metrics
from domainsft.domains.finance.formulas import formulas
from domainsft.domains.finance.templates import phrase, templates
from domainsft.evidence import Passage, render_context
from domainsft.numbers import as_printed, printed_places
from domainsft.records import Fact, Page

CONTEXT_LINES = 1  # lines either side of the evidence line: enough for the column headers' row


def rng_for(seed: int, *parts: object) -> random.Random:
    """A generator per (seed, family, item): output does not depend on iteration order."""
    key = "\x1f".join(map(str, (seed, *parts))).encode()
    return random.Random(int.from_bytes(hashlib.sha256(key).digest()[:8], "big"))


def places(f: Fact) -> int:
    """Decimals as printed (``numbers.printed_places``)."""
    return printed_places(f.printed)


def value_text(f: Fact, lang: str) -> str:
    if f.unit == "text":
        return f.value
    return as_printed(f.value, f.unit, f.scale, f.printed, lang)


def label(metric_id: str, lang: str) -> str:
    """A metric or formula name inside a sentence ("revenue", not "Revenue", in English)."""
    if metric_id in metrics():
        m = metrics()[metric_id]
        name = (m.zh if lang == "zh" else m.en)[0]
    else:
        name = formulas()[metric_id].name(lang)
    first = name.split()[0] if name.split() else name
    if lang == "en" and first[:1].isupper() and first[1:].islower():  # not "R&D", "EBITDA"
        name = name[0].lower() + name[1:]
    return name


def period(f: Fact, lang: str) -> str:
    kind = f.period if f.period in ("year", "instant") else "other"
    return templates()["period"][kind][lang].format(year=f.fiscal_year)


def cite(report: Report, page: int, lang: str) -> str:
    return phrase("cite", lang).format(company=report.company, year=report.year, page=page)


def report_name(report: Report, lang: str) -> str:
    """The report itself (《…年年度报告》), for an answer that then cites pages only."""
    return templates()["report"][lang].format(company=report.company, year=report.year)


def page_cell(f: Fact, lang: str) -> str:
    """A table cell of a table whose row names the report: the value and its page."""
    return templates()["table"]["page_cell"][lang].format(value=value_text(f, lang), page=f.page)


def cell(f: Fact, report: Report, lang: str) -> str:
    """A table cell: the value with its unit and the citation of the page it is printed on."""
    cite_text = cite(report, f.page, lang)
    return templates()["table"]["cell"][lang].format(value=value_text(f, lang), cite=cite_text)


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = [header, ["---"] * len(header), *rows]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)


def names(report: Report) -> dict[str, str]:
    return {"company": report.company, "short": report.short, "year": str(report.year)}


def context(facts: list[Fact], pages: dict[tuple[str, int], Page], lang: str) -> str:
    """The cited rows with a page marker, the way retrieval shows them when serving."""
    blocks: dict[tuple[str, int], list[str]] = {}
    for f in facts:
        page = pages.get((f.doc_id, f.page))
        if page is None:
            continue
        lines = page.text.splitlines()
        hits = [i for i, line in enumerate(lines) if f.evidence and f.evidence in line]
        hits = hits or [i for i, line in enumerate(lines) if f.printed in line]
        chosen = blocks.setdefault((f.doc_id, f.page), [])
        for i in hits[:1]:
            for line in lines[max(i - CONTEXT_LINES, 0) : i + CONTEXT_LINES + 1]:
                if line not in chosen:
                    chosen.append(line)
    passages = [Passage(d, p, "\n".join(ls)) for (d, p), ls in blocks.items() if ls]
    return render_context(passages, lang)
