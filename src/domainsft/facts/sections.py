"""Headings: which report section (key figures, a statement, notes ...) a line opens.

A heading is a short line that the pack's section patterns match at its start. Lines that only
mention a statement ("... in the consolidated balance sheets."), table-of-contents entries and
the headings on a contents page are not headings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from domainsft.domains.finance.statements import Section, layout
from domainsft.facts.columns import header_cells, header_line
from domainsft.facts.items import Item, is_value, split_rows
from domainsft.facts.periods import parse_period
from domainsft.facts.text import compact, squash
from domainsft.numbers import canonical_scale, parse_unit_line

_PARENS = re.compile(r"[(（][^()（）]*[)）]")


@dataclass(frozen=True)
class Heading:
    section: Section
    scope: str
    text: str


def _candidate(item: Item) -> str:
    """The text a heading would be in: a row's first non-empty cell, or the line. A row that
    holds figures is data, whatever its label says."""
    if item.cells is None:
        return item.text
    if any(is_value(c) and parse_period(c, None) is None for c in item.cells[1:]):
        return ""
    return next((c for c in item.cells if c.strip()), "")


def find_heading(item: Item) -> Heading | None:
    return _heading(squash(_candidate(item)), toc=False)


@lru_cache(maxsize=65536)  # the same lines (running heads, row labels) recur on many pages
def _heading(raw: str, toc: bool) -> Heading | None:
    """The heading ``raw`` opens; with ``toc``, also table-of-contents entries (which are not
    headings, but tell a contents page)."""
    lay = layout()
    c = compact(raw)
    # Length is judged without bracketed notes: "... (continued) (in thousands of US dollars)".
    if not c or len(compact(_PARENS.sub("", raw))) > lay.heading_max_chars:
        return None
    if (lay.toc_entry.search(raw) and not toc) or lay.heading_reject.search(c):
        return None
    for section in lay.sections:
        if any(p.search(c) for p in section.patterns):
            return Heading(section, _scope(c, section), raw)
    return None


def _scope(c: str, section: Section) -> str:
    for scope, patterns in layout().scopes.items():
        if section.scope and any(p.search(c) for p in patterns):
            return scope
    return section.scope


def is_contents_page(items: list[Item]) -> bool:
    """A page that lists several statements (with or without page numbers) is a contents page."""
    found = set()
    for item in items:
        raw = squash(_candidate(item))
        heading = _heading(raw, toc=True)
        if heading and heading.section.scope:
            toc = layout().toc_entry.search(raw)
            found.add(f"toc:{raw}" if toc else heading.section.name)
    return len(found) >= layout().toc_min_headings


def find_unit(item: Item) -> tuple[str, str] | None:
    """A unit line in this item: the whole line, one cell, or a bracketed part of the line."""
    parts = list(item.cells) if item.cells is not None else [item.text]
    if item.cells is None:
        parts += _PARENS.findall(item.text)
    for part in parts:
        found = parse_unit_line(part) or _pack_unit(part.strip())
        if found:
            return found
    return None


def _pack_unit(text: str) -> tuple[str, str] | None:
    """Unit lines of the pack's own forms: a bare scale, or 单位均为人民币百万元."""
    lay = layout()
    m = lay.scale_only.match(text)
    if m:
        return "", canonical_scale(m.group("scale"))
    m = lay.zh_unit.search(text) if len(text) <= 60 else None
    if m:
        currency = lay.default_currency.get("zh", "") if m.group("cur") in (None, "人民币") else ""
        return currency, (m.group("mult") or "") + "元"
    return None


def opens_with_figures(items: list[Item], report_year: int | None) -> bool:
    """Whether a page opens with figures (a statement continued over the page break) rather
    than running text. Unit lines, short lines and label-only rows (流动负债：) are passed over."""
    for item in items:
        if find_heading(item):
            return True  # the heading decides what follows
        if find_unit(item):
            continue
        if item.cells is not None:
            if header_cells(item.cells, report_year) or any(is_value(c) for c in item.cells[1:]):
                return True
            continue
        rows = split_rows(item.text)
        if header_line(item.text, report_year) or any(len(v) >= 2 for _, v in rows):
            return True
        if len(item.text) >= 30:
            return False
    return False
