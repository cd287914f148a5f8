"""A value cell read for one metric: the number in base units with its unit and printed scale.

The metric's kind decides what a cell may hold: money takes the table's unit line (单位：万元,
in millions) unless the cell prints its own; per-share figures and ratios never take a scale
from the unit line (a ``元/股`` or ``%`` cell under ``单位：万元`` is not in 万元); headcounts are
persons. A cell that contradicts the kind (a ``%`` in a money row) gives no value.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass

from domainsft.domains.finance import metrics
from domainsft.domains.finance.statements import layout
from domainsft.facts.items import quantity
from domainsft.facts.periods import Period
from domainsft.numbers import Quantity

_MONEY_UNITS = frozenset({"CNY", "USD", "HKD", "EUR", "GBP", "SGD", "AUD", "CAD", "NZD"})


@dataclass(frozen=True)
class UnitContext:
    unit: str  # currency (or %, persons) from the unit line; "" when it names none
    scale: str  # printed scale from the unit line; "1" when none was found
    found: bool  # a unit line was read for this table
    carried: bool  # read on an earlier page of the same statement


def read_value(cell: str, metric: str, ctx: UnitContext, lang: str) -> Quantity | None:
    """The cell as a Quantity for ``metric``, or None when it does not fit the metric's kind."""
    kind = metrics()[metric].kind
    lay = layout()
    currency = ctx.unit if ctx.unit in _MONEY_UNITS else lay.default_currency.get(lang, "")
    if kind == "money":
        q = quantity(cell, default_unit=currency, default_scale=ctx.scale)
        return q if q is not None and q.unit in _MONEY_UNITS else None
    q = quantity(cell)
    if q is None or q.scale not in ("1", "", "元"):
        return None
    if kind == "per_share":
        cur = q.unit.removesuffix("/share") or currency
        if cur and cur not in _MONEY_UNITS:
            return None
        return Quantity(q.value, lay.kind_units[kind].format(currency=cur), "1", q.printed)
    if kind == "ratio":
        default = lay.plain_ratios.get(metric, lay.kind_units[kind])
        if q.unit in ("%", "pp") or (not q.unit and default):
            return Quantity(q.value, q.unit or default, "1", q.printed)
        return None
    if kind == "count" and q.unit in ("", "persons", "shares"):
        return Quantity(q.value, q.unit or lay.kind_units[kind], "1", q.printed)
    return None


def period_kind(period: Period, metric: str) -> str:
    """``year`` or ``instant``: the header's word, else what the metric is (a balance or not)."""
    if period.kind in ("year", "instant"):
        return period.kind
    lay = layout()
    m = metrics()[metric]
    balance = m.statement in lay.instant_statements or metric in lay.instant_metrics
    return "instant" if balance else "year"


def period_end(period: Period, report_year: int | None, year_end: str) -> str:
    """The ISO date a column's period ends: printed, the report's own year end, or that year end
    moved to the column's year when it is a month end (a calendar or month-end fiscal year; a
    52/53-week year ends on a different day each year and is left blank)."""
    if period.end:
        return period.end
    if len(year_end) != 10:
        return ""
    if period.year == report_year:
        return year_end
    month, day = int(year_end[5:7]), int(year_end[8:10])
    if day != calendar.monthrange(int(year_end[:4]), month)[1]:
        return ""
    last = calendar.monthrange(period.year, month)[1]
    return f"{period.year:04d}-{month:02d}-{last:02d}"
