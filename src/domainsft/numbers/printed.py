"""How a report printed a figure: the decimals of its digits, and the figure printed again that
way (an answer shows a number exactly as the page does)."""

from __future__ import annotations

import re
from decimal import Decimal

from domainsft.numbers.format import format_quantity
from domainsft.numbers.parse import parse_quantity
from domainsft.numbers.scales import from_base

_DIGITS = re.compile(r"\d[\d,]*(?:\.(\d+))?")


def printed_places(printed: str) -> int:
    """Decimals as printed: 1 for ``(1,459.6)`` and for ``$2,254.2 million`` (the number's
    digits, not the words after it); 2 for ``约1.20亿元``, which the kernel does not read."""
    q = parse_quantity(printed)
    if q is not None:
        step = from_base(q.precision, q.scale).normalize()  # 0.1 for "$2,254.2 million"
        return max(-step.as_tuple().exponent, 0)  # type: ignore[operator]
    m = _DIGITS.search(printed)
    return len(m.group(1) or "") if m else 0


def as_printed(value: str | Decimal, unit: str, scale: str, printed: str, lang: str) -> str:
    """A base-unit value in its printed scale at its printed decimals (``11.75亿元``)."""
    return format_quantity(Decimal(value), unit, scale, printed_places(printed), lang)
