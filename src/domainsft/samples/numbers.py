"""Units, scaling and number printing.

Every amount lives as an integer count of *ticks*: the smallest step the report can print (0.01
元 in a 元 report, 100 元 in a 万元 report printed with two decimals, 1,000 USD in a thousands
report). Sums of ticks are exact, so statements add up as printed and the truth value
(ticks x tick size) is exactly what a reader of the page can recover.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

NegStyle = Literal["minus", "paren"]
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class Unit:
    scale: str  # the truth file's `scale`: 元 | 万元 | 百万元 | thousands | millions
    currency: str  # CNY | USD
    factor: Decimal  # base currency units per printed unit
    decimals: int  # decimals printed in tables

    @property
    def tick(self) -> Decimal:
        return self.factor.scaleb(-self.decimals)

    def base(self, ticks: int) -> Decimal:
        """Amount in base currency units (元 / USD) of a tick count."""
        return Decimal(ticks) * self.tick

    def ticks_of(self, base: Decimal) -> int:
        """Nearest tick count to a base amount (ROUND_HALF_UP, as printed reports round)."""
        return int((base / self.tick).to_integral_value(rounding=ROUND_HALF_UP))

    def printed(self, ticks: int, neg: NegStyle) -> str:
        return fmt_number(Decimal(ticks).scaleb(-self.decimals), self.decimals, neg)


UNITS: dict[str, Unit] = {
    "元": Unit("元", "CNY", Decimal(1), 2),
    "万元": Unit("万元", "CNY", Decimal(10_000), 2),
    "百万元": Unit("百万元", "CNY", Decimal(1_000_000), 0),
    "thousands": Unit("thousands", "USD", Decimal(1_000), 0),
    "millions": Unit("millions", "USD", Decimal(1_000_000), 1),
}


def fmt_number(value: Decimal, decimals: int, neg: NegStyle = "minus") -> str:
    """Thousands separators; negatives as ``-1,234.56`` (zh) or ``(1,234)`` (en)."""
    q = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    body = f"{abs(q):,.{decimals}f}"
    if q >= 0:
        return body
    return f"({body})" if neg == "paren" else f"-{body}"


def fmt_plain(value: Decimal, decimals: int = 2) -> str:
    """A ratio or per-share figure: no separators, sign as ``-`` (``12.35``, ``-0.08``)."""
    return f"{value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP):.{decimals}f}"


def round2(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def yoy(cur: Decimal, prior: Decimal) -> Decimal | None:
    """Year-on-year change in percent, two decimals; None where the base is not positive,
    which real reports print as 不适用 / N/A rather than a meaningless ratio."""
    if prior <= 0:
        return None
    return round2((cur - prior) / prior * 100)


def value_str(value: Decimal) -> str:
    """Canonical Decimal string for the truth file: no exponent, no trailing zeros."""
    if value == 0:
        return "0"
    text = format(value.normalize(), "f")
    return text


def scale_ratio(ticks: int, ratio: Decimal) -> int:
    """``ticks * ratio`` rounded half-up to whole ticks (generation never touches floats)."""
    return int((Decimal(ticks) * ratio).to_integral_value(rounding=ROUND_HALF_UP))
