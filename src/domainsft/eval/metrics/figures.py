"""The gold figures of an item: its structured gold, its table cells, its reference's figures.

What counts as a figure and when an output states one is the grounding kernel's business
(``domainsft.grounding``); this module only says which figures an item wants, each at the
precision it is compared at (``Target``): a dataset gold ``{value, unit, scale, places}`` at
its places in its printed scale, a scorer gold at its decimals, a reference figure at its own
printed precision.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from domainsft.eval.gold import Gold, parse_gold
from domainsft.eval.items import EvalItem
from domainsft.grounding import Target, present, targets, value_numbers
from domainsft.numbers import Quantity, scale_factor

GoldNumber = Target  # the name eval's metrics use for a wanted figure

__all__ = ["GoldNumber", "cells", "from_gold", "from_spec", "from_text", "present",
           "reference_parts", "structured_gold", "value_numbers"]  # fmt: skip


def from_spec(spec: dict[str, Any]) -> Target | None:
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
    return Target(Quantity(value, unit, scale, quantum=step), step)


def from_gold(gold: Gold) -> list[Target]:
    """The numbers of a scorer gold (a number, or the numbers of a list)."""
    if gold.kind == "number" and gold.quantity is not None and gold.step is not None:
        return [Target(gold.quantity, gold.step)]
    return [n for item in gold.items for n in from_gold(item)]


def from_text(text: str) -> list[Target]:
    """The figures of a reference answer, each at its own printed precision."""
    return targets(text)


def structured_gold(item: EvalItem) -> list[Target]:
    """The item's single gold figure (``meta.gold``, else a numeric scorer gold)."""
    spec = item.meta.get("gold")
    if isinstance(spec, dict):
        one = from_spec(spec)
        return [one] if one else []
    if item.gold is not None:
        return from_gold(parse_gold(item.gold, item.id))
    return []


def cells(item: EvalItem) -> list[Target]:
    """The table cells of a multi-part answer (``meta.cells``)."""
    return [n for n in (from_spec(c) for c in item.meta.get("cells") or []) if n]


def reference_parts(item: EvalItem) -> list[Target]:
    """The reference answer's figures, where they are the gold: the item comes from report facts
    (``meta.fact_ids``) and has no structured gold (a multi-metric answer)."""
    meta = item.meta
    no_gold = meta.get("gold") is None and item.gold is None and not meta.get("cells")
    if no_gold and meta.get("fact_ids") and not meta.get("is_negative") and item.reference:
        return from_text(item.reference)
    return []
