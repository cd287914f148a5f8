"""The figures of a text and of an item's gold, and when an output states a gold figure.

Every number is read by the shared kernel (``find_quantities``) in Decimal base units. A gold
figure is *present* in an output when some answer-like number of the output (not a year, page,
section or list marker), read in the gold's unit, equals it rounded to the gold's precision:
``$795.1 million`` and ``795,100,000`` both state a gold of 795,100,000 asked to 0.1 million;
``12.35%`` and ``0.1235`` both state 12.35%. A figure printed as the size of a decrease
(``下降5.20%``, ``a decrease of 5.20%``) also states the negative gold -5.20%.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from domainsft.eval.gold import Gold, parse_gold
from domainsft.eval.items import EvalItem
from domainsft.eval.matcher import readings
from domainsft.numbers import Quantity, find_quantities, numbers_equal, scale_factor

_PERCENT = ("%", "pp")
# "下降5.20%", "a decrease of 5.20%", "fell by 3%": the figure is the size of a negative change.
_DECREASE = re.compile(
    r"(?:下降|减少|降低|下滑|下跌|减)了?\s*$"
    r"|(?i:\b(?:decrease[ds]?|declined?|declines|fell|falls?|drop(?:ped|s)?|down)(?:\s+(?:of|by))?\s*)$"
)
# "Step 1, formula": a step counter, not a figure (the kernel's locators cover 第1步, Note 1).
_STEP = re.compile(r"(?i:\bstep)\s*$|步骤\s*$")


@dataclass(frozen=True)
class GoldNumber:
    """A gold figure and the precision it is compared at (``step``, in base units)."""

    quantity: Quantity
    step: Decimal


def value_numbers(text: str) -> list[Quantity]:
    """The answer-like numbers of ``text``, left to right: no years, dates, pages, sections,
    list markers or step counters."""
    return [
        q
        for q in find_quantities(text or "")
        if q.is_candidate and not (q.span and _STEP.search(text[max(q.span[0] - 8, 0) : q.span[0]]))
    ]


def from_spec(spec: dict[str, Any]) -> GoldNumber | None:
    """A dataset gold or table cell ``{value (base units), unit, scale, places}``; None for a
    text answer or a value that is not a number."""
    if not isinstance(spec, dict) or spec.get("unit") == "text":
        return None
    try:
        value = Decimal(str(spec["value"]))
        scale = str(spec.get("scale") or "1")
        step = Decimal(1).scaleb(-int(spec.get("places", 0))) * scale_factor(scale)
    except (KeyError, InvalidOperation, ValueError, TypeError):
        return None
    unit = str(spec.get("unit") or "")
    return GoldNumber(Quantity(value, unit, scale, quantum=step), step)


def from_gold(gold: Gold) -> list[GoldNumber]:
    """The numbers of a scorer gold (a number, or the numbers of a list)."""
    if gold.kind == "number" and gold.quantity is not None and gold.step is not None:
        return [GoldNumber(gold.quantity, gold.step)]
    return [n for item in gold.items for n in from_gold(item)]


def from_text(text: str) -> list[GoldNumber]:
    """The figures of a reference answer, each at its own printed precision."""
    return [GoldNumber(q, q.precision) for q in value_numbers(text)]


def structured_gold(item: EvalItem) -> list[GoldNumber]:
    """The item's single gold figure (``meta.gold``, else a numeric scorer gold)."""
    spec = item.meta.get("gold")
    if isinstance(spec, dict):
        one = from_spec(spec)
        return [one] if one else []
    if item.gold is not None:
        return from_gold(parse_gold(item.gold, item.id))
    return []


def cells(item: EvalItem) -> list[GoldNumber]:
    """The table cells of a multi-part answer (``meta.cells``)."""
    return [n for n in (from_spec(c) for c in item.meta.get("cells") or []) if n]


def reference_parts(item: EvalItem) -> list[GoldNumber]:
    """The reference answer's figures, where they are the gold: the item comes from report facts
    (``meta.fact_ids``) and has no structured gold (a multi-metric answer)."""
    meta = item.meta
    no_gold = meta.get("gold") is None and item.gold is None and not meta.get("cells")
    if no_gold and meta.get("fact_ids") and not meta.get("is_negative") and item.reference:
        return from_text(item.reference)
    return []


def present(gold: GoldNumber, output: str, found: list[Quantity] | None = None) -> bool:
    """Whether ``output`` states ``gold`` (see the module docstring)."""
    for q in value_numbers(output) if found is None else found:
        for r in _readings(q, gold.quantity):
            if _same(r, gold) or (_decrease(q, output) and _same(replace(r, value=-r.value), gold)):
                return True
    return False


def _decrease(q: Quantity, text: str) -> bool:
    """Whether ``q`` is printed as the size of a decrease (``下降5.20%``)."""
    return bool(q.span) and bool(_DECREASE.search(text[max(q.span[0] - 24, 0) : q.span[0]]))


def _readings(q: Quantity, gold: Quantity) -> list[Quantity]:
    """``q`` in the gold's unit; ``$1.36`` states a gold of 1.36 USD/share (a per-unit gold
    and its plain unit are the same figure), as the matcher reads the rest."""
    if gold.unit in _PERCENT or q.unit in _PERCENT:
        return readings(q, gold)[:1]
    return [q] if units_agree(q.unit, gold.unit) else []


def units_agree(a: str, b: str) -> bool:
    """Equal, either unknown, or one is the other per something (USD and USD/share)."""
    return a == b or not a or not b or a.split("/")[0] == b.split("/")[0]


def _same(q: Quantity, gold: GoldNumber) -> bool:
    a = replace(q, unit="", quantum=gold.step)
    return numbers_equal(a, replace(gold.quantity, unit="", quantum=gold.step))
