"""The figures of a text, and when a text states a given figure.

Every number is read by the numbers kernel (``find_quantities``) in Decimal base units. A
*figure* is an answer-like number: not a year, date, page, section, list marker or step counter.
A wanted figure (a ``Target``: a quantity and the precision it is compared at) is *present* in a
text when some figure of the text, read in the target's unit, equals it rounded to that
precision: ``$795.1 million`` and ``795,100,000`` both state 795,100,000 wanted to 0.1 million;
``12.35%`` and ``0.1235`` both state 12.35%. A figure printed as the size of a decrease
(``下降5.20%``, ``a decrease of 5.20%``) also states the negative -5.20%.

Eval's metrics, pseudo-labelling, the teacher filter, the in-training metric and the assistant's
verifier all read figures through this module, so they agree on what an answer states.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal

from domainsft.numbers import Quantity, find_quantities, numbers_equal

PERCENT = ("%", "pp")
# "下降5.20%", "a decrease of 5.20%", "fell by 3%": the figure is the size of a negative change.
_DECREASE = re.compile(
    r"(?:下降|减少|降低|下滑|下跌|减)了?\s*$"
    r"|(?i:\b(?:decrease[ds]?|declined?|declines|fell|falls?|drop(?:ped|s)?|down)(?:\s+(?:of|by))?\s*)$"
)
# "Step 1, formula": a step counter, not a figure (the kernel's locators cover 第1步, Note 1).
_STEP = re.compile(r"(?i:\bstep)\s*$|步骤\s*$")
# A formula's constants (× 100%, / 2, × 365) are not figures when they stand beside an operator.
_CONSTANTS = frozenset(Decimal(n) for n in (1, 2, 4, 12, 100, 360, 365, 1000))
_OPERATOR_NEAR = re.compile(r"[×÷*/]")


@dataclass(frozen=True)
class Target:
    """A wanted figure and the precision it is compared at (``step``, in base units)."""

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


def figures(text: str) -> list[Quantity]:
    """The figures a reader would check: ``value_numbers`` less a formula's constants (an
    integer such as 100, 2, 12, 365 right beside ``×``, ``/``, ``÷`` or ``*``)."""
    return [q for q in value_numbers(text) if not is_constant(q, text)]


def is_constant(q: Quantity, text: str) -> bool:
    """Whether ``q`` is a formula constant of ``text`` (``× 100%``, ``/ 2``)."""
    if q.value not in _CONSTANTS or q.quantum not in (None, Decimal(1)) or q.scale not in ("1", ""):
        return False
    start, end = q.span or (0, 0)
    return bool(_OPERATOR_NEAR.search(text[max(start - 3, 0) : start] + text[end : end + 3]))


def targets(text: str) -> list[Target]:
    """The figures of a reference text, each wanted at its own printed precision."""
    return [Target(q, q.precision) for q in value_numbers(text)]


def present(target: Target, text: str, found: list[Quantity] | None = None) -> bool:
    """Whether ``text`` (or its figures ``found``) states ``target`` (module docstring)."""
    for q in value_numbers(text) if found is None else found:
        for r in in_unit_of(q, target.quantity):
            if _same(r, target) or (
                is_decrease(q, text) and _same(replace(r, value=-r.value), target)
            ):
                return True
    return False


def states_all(reference: str, text: str) -> bool | None:
    """Whether ``text`` states every figure of ``reference``; None when it has none."""
    wanted = targets(reference)
    if not wanted:
        return None
    found = value_numbers(text)
    return all(present(t, text, found) for t in wanted)


def is_decrease(q: Quantity, text: str) -> bool:
    """Whether ``q`` is printed as the size of a decrease (``下降5.20%``)."""
    return bool(q.span) and bool(_DECREASE.search(text[max(q.span[0] - 24, 0) : q.span[0]]))


def readings(q: Quantity, gold: Quantity) -> list[Quantity]:
    """``q`` read in the gold's unit: none when the units clash (money vs %, USD vs CNY). A
    fraction is read against a percent (0.2 = 20 %), a percentage against a unitless gold."""
    if gold.unit in PERCENT:
        if q.unit in PERCENT:
            return [q]
        if not q.unit and q.scale in ("1", ""):  # a fraction: 0.2 = 20%
            return [replace(q, value=q.value * 100, unit="%", quantum=q.precision * 100)]
        return []
    if q.unit in PERCENT:
        if gold.unit:
            return []
        return [replace(q, value=q.value / 100, unit="", quantum=q.precision / 100)]
    if q.unit and gold.unit and q.unit != gold.unit:
        return []
    return [q]


def in_unit_of(q: Quantity, wanted: Quantity) -> list[Quantity]:
    """``q`` in the wanted figure's unit; ``$1.36`` states 1.36 USD/share (a per-unit figure
    and its plain unit are the same figure), percentages and fractions as ``readings``."""
    if wanted.unit in PERCENT or q.unit in PERCENT:
        return readings(q, wanted)[:1]
    return [q] if units_agree(q.unit, wanted.unit) else []


def units_agree(a: str, b: str) -> bool:
    """Equal, either unknown, or one is the other per something (USD and USD/share)."""
    return a == b or not a or not b or a.split("/")[0] == b.split("/")[0]


def _same(q: Quantity, target: Target) -> bool:
    a = replace(q, unit="", quantum=target.step)
    return numbers_equal(a, replace(target.quantity, unit="", quantum=target.step))
