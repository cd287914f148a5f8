"""Header rows: the period each value column holds, and which value goes with which period.

A header is a table row or a text line whose cells are periods (``2019年``, ``December 31,
2018``, ``本期发生额``) or change/quarter columns (``SKIP``), after an optional label-column
header (``主要会计数据``, ``(Millions, except per share amounts)``). A header row with fewer
cells than the data rows is right-aligned (its label cell left blank).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from domainsft.domains.finance.statements import layout
from domainsft.facts.items import is_value
from domainsft.facts.periods import Period, is_filler, parse_period
from domainsft.facts.text import compact

_MAX_HEADER_CHARS = 160
_YEARS_BACK = 15  # five-year summaries and restatements reach this far back
_PARENS = re.compile(r"[(（][^()（）]*[)）]")
_ZH_PERIOD = re.compile(r"(?:19|20)\d{2}\s*年(?:\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\s*[度末])?")


@dataclass(frozen=True)
class Columns:
    cols: tuple[Period | None, ...]  # one per header cell (text headers: one per period word)
    from_table: bool
    page: int
    section_id: int

    @property
    def periods(self) -> tuple[Period, ...]:
        return tuple(p for p in self.cols if p is not None)


def header_cells(cells: tuple[str, ...], report_year: int | None) -> tuple[Period | None, ...]:
    """The periods of a table header row, or () when the row is not a header."""
    periods = tuple(_plausible(parse_period(c, report_year), report_year) for c in cells)
    bare = [p for p in periods if p is not None and not p.skip]
    if len(bare) == 1 and bare[0].kind == "" and not is_filler(cells[0]) and periods[0] is None:
        return ()  # "主要子公司在职员工的数量 1916": a label and a number, not a header
    if not any(p is not None and not p.skip for p in periods) and not _all_skips(periods):
        return ()
    for i, (cell, p) in enumerate(zip(cells, periods, strict=True)):
        if p is not None or is_filler(cell):
            continue
        if i == 0 and not is_value(cell):
            continue  # the label column's own header
        return ()
    return periods


def _plausible(period: Period | None, report_year: int | None) -> Period | None:
    """A bare number such as 1916 is a year column only near the report's fiscal year."""
    if period is None or period.kind or report_year is None:
        return period
    return period if report_year - _YEARS_BACK <= period.year <= report_year + 1 else None


def _all_skips(periods: tuple[Period | None, ...]) -> bool:
    """A header of quarters or changes only: it holds no fiscal-year values, but it is one."""
    real = [p for p in periods if p is not None]
    return len(real) >= 2 and all(p.skip for p in real)


@cache
def _en_dated() -> re.Pattern[str]:
    names = "|".join(m.capitalize()[:3] + "(?:" + m[3:] + ")?" for m in layout().months)
    upper = "|".join(m.upper() for m in layout().months)
    return re.compile(rf"(?i:\b(?:{names}|{upper})\.?\s+\d{{1,2}}\s*,\s*(?:19|20)\d{{2}}\b)")


@cache
def _month_day() -> re.Pattern[str]:
    names = "|".join(m[:3] + "(?:" + m[3:] + ")?" for m in layout().months)
    return re.compile(rf"(?i)\b(?:{names})\.?\s+\d{{1,2}}\b,?")


def header_line(text: str, report_year: int | None) -> tuple[Period | None, ...]:
    """The periods of a text header line ("2021 2020 2019", "Year ended December 31 2021 2020
    Change"), or () when the line is not a header."""
    if len(text) > _MAX_HEADER_CHARS:
        return ()  # running text, not a header
    merged = _PARENS.sub(" ", text)  # "(In millions except par value)" is a unit note
    merged = _en_dated().sub(lambda m: compact(m.group()), merged)
    merged = _month_day().sub(" ", merged)
    # OCR glues Chinese periods to their neighbours: 项目2021年12月31日2020年12月31日.
    merged = _ZH_PERIOD.sub(lambda m: f" {compact(m.group())} ", merged)
    tokens = merged.split()
    periods = [_plausible(parse_period(t, report_year), report_year) for t in tokens]
    first = next((i for i, p in enumerate(periods) if p is not None), None)
    if first is None or not any(p is not None and not p.skip for p in periods):
        return ()
    if any(is_value(t) and p is None for t, p in zip(tokens, periods, strict=True)):
        return ()
    tail = [(t, p) for t, p in zip(tokens[first:], periods[first:], strict=True)]
    words = [t for t, p in tail if p is None and not is_filler(t) and not _skip_word(t)]
    # One year among words is prose ("2021 was a year of ..."); two or more periods may be
    # followed by a section label run onto the line ("... January 30, 2016 Operating Activities").
    real = [p for p in periods if p is not None and not p.skip]
    if words and (len(real) < 2 or len(words) > 3):
        return ()
    return tuple(p for p in periods if p is not None)


def _skip_word(token: str) -> bool:
    return token in ("%", "(%)", "$")


def assign(columns: Columns, cells: tuple[str, ...]) -> list[tuple[int, Period]]:
    """(cell index, period) for the value cells of a data row; cell 0 is the label.

    Aligned by position when the row and the header line up, else by order of the value cells
    when their number equals the number of period columns (with or without change columns).
    """
    cols = columns.cols
    n = len(cells)
    if columns.from_table and len(cols) <= n:
        offset = n - len(cols)
        out = [(i, cols[i - offset]) for i in range(max(1, offset), n)]
        out = [(i, p) for i, p in out if p is not None and not p.skip and cells[i].strip()]
        if out and all(is_value(cells[i]) for i, _ in out):
            return out
    filled = [i for i in range(1, n) if cells[i].strip() and is_value(cells[i])]
    slots = list(columns.periods)
    if len(filled) != len(slots):
        slots = [p for p in slots if not p.skip]
    if len(filled) != len(slots):
        return []
    return [(i, p) for i, p in zip(filled, slots, strict=True) if not p.skip]
