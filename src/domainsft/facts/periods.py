"""Column headers to periods: which fiscal year (and which kind of period) a column holds.

``2019年`` and ``FY2018`` are flows over a fiscal year; ``2019年末``, ``2024年12月31日`` and
``December 31, 2018`` are balances at a year end; ``本期发生额``/``上期发生额`` and
``期末余额``/``上年年末余额`` are read against the report's fiscal year. Change columns
(``增减(%)``, ``% Change``) and quarters are ``SKIP``: they hold no fiscal-year value.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from functools import cache, lru_cache

from domainsft.domains.finance.statements import layout
from domainsft.facts.text import compact


@dataclass(frozen=True)
class Period:
    year: int  # the fiscal year the column's values belong to; 0 for SKIP
    kind: str  # "year" (a flow), "instant" (a balance), "" (a bare year), "skip"
    end: str = ""  # ISO date when the header prints one
    relative: bool = False  # read from 本期/上期-style words rather than a printed year

    @property
    def skip(self) -> bool:
        return self.kind == "skip"


SKIP = Period(0, "skip")

_ZH_DATE = re.compile(r"^((?:19|20)\d{2})年(\d{1,2})月(\d{1,2})日$")
_YEAR_REST = re.compile(r"^((?:19|20)\d{2})(.*)$")
_PREFIXED = re.compile(r"^([a-z财年]+?)'?((?:19|20)?\d{2})$")


def _month_names() -> str:
    return "|".join(m[:3] + "(?:" + m[3:] + ")?" for m in layout().months)


@cache
def _en_date() -> re.Pattern[str]:
    return re.compile(rf"^({_month_names()})\.?(\d{{1,2}}),?((?:19|20)\d{{2}})$")


@cache
def _month_day() -> re.Pattern[str]:
    return re.compile(rf"(?i)\b({_month_names()})\.?\s*(\d{{1,2}})\b(?!\s*,?\s*(?:19|20)\d{{2}})")


def month_number(name: str) -> int:
    name = name.lower()[:3]
    return next(i + 1 for i, m in enumerate(layout().months) if m.startswith(name))


def _iso(year: int, month: int, day: int) -> str:
    return f"{year:04d}-{month:02d}-{day:02d}"


@lru_cache(maxsize=65536)  # headers and tokens repeat across pages and documents
def parse_period(cell: str, report_year: int | None) -> Period | None:
    """One header cell as a period, ``SKIP`` for a change/quarter column, None for anything else."""
    lay = layout()
    c = compact(cell)
    if not c:
        return None
    if lay.period_skip.search(c):
        return SKIP
    return _dated(c) or _yearly(c) or _relative(c, report_year)


def _dated(c: str) -> Period | None:
    m = _ZH_DATE.match(c)
    if m:
        y, mo, d = (int(x) for x in m.groups())
        return Period(y, "instant", _iso(y, mo, d))
    m = _en_date().match(c)
    if m:
        y, d = int(m.group(3)), int(m.group(2))
        return Period(y, "instant", _iso(y, month_number(m.group(1)), d))
    return None


def _yearly(c: str) -> Period | None:
    lay = layout()
    m = _YEAR_REST.match(c)
    if m:
        year, rest = int(m.group(1)), m.group(2)
        if not rest:
            return Period(year, "")
        if lay.year_suffix.match(rest):
            return Period(year, "year")
        if lay.instant_suffix.match(rest):
            return Period(year, "instant")
        return None
    m = _PREFIXED.match(c)
    if m and lay.fiscal_prefix.match(m.group(1)):
        year = int(m.group(2))
        return Period(year + 2000 if year < 100 else year, "year")
    return None


def _relative(c: str, report_year: int | None) -> Period | None:
    if report_year is None:
        return None
    for rp in layout().relative_periods:
        if rp.pattern.search(c):
            return Period(report_year + rp.offset, rp.kind, relative=True)
    return None


def is_filler(cell: str) -> bool:
    """Header words that carry no period ("Year ended December 31", "项目")."""
    c = compact(cell)
    return not c or bool(layout().period_filler.match(c))


def month_day(text: str) -> tuple[int, int] | None:
    """A month and day printed without a year ("Years ended December 31", "May 31,")."""
    found = _month_day().findall(text)
    if not found:
        return None
    name, day = found[0]
    return month_number(name), int(day)


def with_end(period: Period, md: tuple[int, int] | None) -> Period:
    """Give a bare-year period the end date a header prints elsewhere ("Years ended May 31").

    Only a month-end date carries over to other years: a 52/53-week year (ending "August 29")
    ends on a different day each year."""
    if period.end or md is None or period.skip or not period.year:
        return period
    month, day = md
    if day != calendar.monthrange(period.year, month)[1]:
        return period
    return Period(period.year, period.kind, _iso(period.year, month, day), period.relative)
