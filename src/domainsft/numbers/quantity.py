"""``Quantity``: a number with its unit, scale and printed precision."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domainsft.numbers.scales import _exponent

# ---------------------------------------------------------------------------- Quantity


@dataclass(frozen=True)
class Quantity:
    """A number with its unit and the scale it was printed in.

    ``value`` is in base units (yuan, dollars, percent points, persons). ``quantum`` is the step
    of the last printed digit in base units; ``None`` means: read it off ``value``'s exponent.
    ``span`` and ``role`` are set by ``find_quantities``: ``role`` is ``value`` for a number that
    can be an answer and ``year``, ``date``, ``page``, ``section``, ``ordinal``, ``fraction`` or
    ``code`` for the numbers that only locate or name something.
    """

    value: Decimal
    unit: str = ""  # CNY, USD, HKD, %, pp, persons, shares, times, days, CNY/share, "" (unknown)
    scale: str = "1"  # 元 万元 亿元 百万元 千元 thousands millions billions 1 ...
    printed: str = ""
    quantum: Decimal | None = None
    span: tuple[int, int] | None = None
    role: str = "value"

    @property
    def precision(self) -> Decimal:
        if self.quantum is not None:
            return self.quantum
        return Decimal(1).scaleb(min(_exponent(self.value), 0))

    @property
    def is_candidate(self) -> bool:
        """Whether this number can be the answer to a question (not a year, page, date …)."""
        return self.role == "value"
