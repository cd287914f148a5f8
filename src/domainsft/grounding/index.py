"""``FigureIndex``: is a figure among the numbers of a text, or derivable from two of them?

Reports print tables in a stated scale (``(in millions)``, ``单位：万元``) that the page text
does not repeat beside each number, so a page shows ``795.1`` where an answer says
``$795.1 million`` or ``795,100,000.00``. A figure is therefore looked up in every form a
number can take on the page: its base-unit value, the digits it was printed with (``795.1``
for ``$795.1 million``) and, for a bare number with no unit or scale word, that number in each
common table scale (thousands, 万, millions, 亿, billions). A query is answered at the query's
own precision: the indexed number, rounded to the last digit the query prints, equals it.
So ``$795.1 million`` is on a page that prints ``795.1`` or ``795.12``, ``$1.36`` is not on a
page that prints ``1``, and ``795,123,456`` is not on a page that prints only ``795.1``.
Signs are ignored (a table prints a cost as ``(1,401.0)``, prose as "cost of 1,401.0"):
whether the sign is right is the answer metrics' business, not the lookup's.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator
from decimal import Decimal

from domainsft.numbers import Quantity, scale_factor

_TABLE_SCALES = (3, 4, 6, 8, 9)  # powers of ten a table header may state
_PERCENT = ("%", "pp")
DERIVE_LIMIT = 60  # context numbers tried as operands of a derivation (pairs: 60² per op)


def forms(q: Quantity, rescale: bool = True) -> Iterator[Decimal]:
    """``|q|`` in base units, in its printed digits, and (bare numbers) in each table scale."""
    value = abs(q.value)
    yield value
    factor = scale_factor(q.scale) if q.scale else Decimal(1)
    if factor != 1:
        yield value / factor
    elif rescale and q.unit not in _PERCENT:
        for exp in _TABLE_SCALES:
            yield value.scaleb(exp)


def query_forms(q: Quantity) -> list[tuple[Decimal, Decimal]]:
    """``(value, step)`` of a queried figure: in base units and in its printed digits."""
    factor = scale_factor(q.scale) if q.scale else Decimal(1)
    out = [(abs(q.value), q.precision)]
    if factor != 1:
        out.append((abs(q.value) / factor, q.precision / factor))
    return out


class FigureIndex:
    """The numbers of one or more texts, sorted for interval look-ups."""

    def __init__(
        self,
        quantities: Iterable[Quantity],
        derive_limit: int = DERIVE_LIMIT,
        repeats_pair: bool = False,
    ):
        """``repeats_pair``: a number given twice may pair with itself (``(0.75 - 0.75) /
        0.75`` is a growth of 0 % when both years print 0.75). Off for free context, where a
        number printed twice is one number, not two operands."""
        quantities = list(quantities)
        self.values = sorted({f for q in quantities for f in forms(q)})
        self.operands = _operands(quantities, derive_limit)
        counts = Counter(abs(q.value) for q in quantities)
        twice = [q for q in quantities if repeats_pair and counts[abs(q.value)] > 1]
        self._twice = {f for q in twice for f in forms(q, rescale=False)}

    def __len__(self) -> int:
        return len(self.values)

    def has(self, q: Quantity) -> bool:
        """Whether ``q`` (any sign) is among the indexed numbers at ``q``'s precision."""
        return any(_within(self.values, v, step / 2) for v, step in query_forms(q))

    def derivable(self, q: Quantity) -> bool:
        """Whether ``|q|`` is, at its precision, ``a + b``, ``a - b``, ``a / b``,
        ``a / b × 100`` or ``(a - b) / |b| × 100`` of two different indexed operands."""
        return any(self._derives(v, step / 2) for v, step in query_forms(q))

    def _derives(self, target: Decimal, tol: Decimal) -> bool:
        ops = self.operands
        for b in ops:
            if b == 0:
                continue
            size = abs(b)
            windows = (
                (target - b, tol),  # a + b
                (b * target / 100, size * tol / 100),  # a / b × 100
                (b * target, size * tol),  # a / b
                (b + size * target / 100, size * tol / 100),  # (a - b) / |b| × 100
            )
            exclude = None if size in self._twice else size
            if any(_within(ops, centre, t, exclude=exclude) for centre, t in windows):
                return True
        return False


def _operands(quantities: list[Quantity], limit: int) -> list[Decimal]:
    """The first ``limit`` distinct numbers, each with both signs (so that ``a + b`` covers
    ``a - b`` and a result may be stated as the size of a change), base and printed forms."""
    seen: dict[Decimal, None] = {}
    for q in quantities:
        if abs(q.value) not in seen:
            seen[abs(q.value)] = None
        if len(seen) >= limit:
            break
    picked = [q for q in quantities if abs(q.value) in seen]
    values = {f for q in picked for f in forms(q, rescale=False)}
    return sorted(values | {-v for v in values})


def _within(
    values: list[Decimal], centre: Decimal, tol: Decimal, exclude: Decimal | None = None
) -> bool:
    """Whether a value lies in ``[centre - tol, centre + tol]`` (other than ``±exclude``)."""
    lo, hi = bisect_left(values, centre - tol), bisect_right(values, centre + tol)
    if exclude is None:
        return hi > lo
    return any(abs(v) != exclude for v in values[lo:hi])
