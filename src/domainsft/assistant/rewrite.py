"""Printing a corrected figure the way the answer printed the wrong one: same scale word, same
unit, same decimals, same thousands separators (``12.53 亿元`` → ``12.35 亿元``,
``25.65%`` → ``25.64%``, ``$4,425.5 million`` → ``$4,452.5 million``)."""

from __future__ import annotations

import re
from decimal import Decimal

from domainsft.grounding import PERCENT
from domainsft.numbers import Quantity, scale_factor

_DIGITS = re.compile(r"\d(?:[\d,\u2009 ]*\d)?(?:\.\d+)?")


def rewrite_number(q: Quantity, value: Decimal) -> str:
    """``q.printed`` with its digits replaced by ``value`` (base units; percent points for a
    percent), in the printed scale and at the printed number of decimals."""
    printed = q.printed
    m = _DIGITS.search(printed)
    if m is None:
        return printed
    digits = m.group(0)
    places = len(digits.split(".")[1]) if "." in digits else 0
    shown = value if q.unit in PERCENT else value / _factor(q)
    whole = digits.split(".")[0]
    sep = next((c for c in (",", "\u2009", " ") if c in whole), "")
    if not sep and len(whole) < 4:  # too short to show whether it groups: reports do
        sep = ","
    body = f"{abs(shown):,.{places}f}".replace(",", sep)
    sign = "-" if shown < 0 and q.value >= 0 and not _negative_decoration(printed) else ""
    return printed[: m.start()] + sign + body + printed[m.end() :]


def _factor(q: Quantity) -> Decimal:
    return scale_factor(q.scale) if q.scale else Decimal(1)


def _negative_decoration(printed: str) -> bool:
    return any(c in printed for c in "-−(（")
