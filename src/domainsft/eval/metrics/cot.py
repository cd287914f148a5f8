"""``cot_consistency``: does the output show the reference's derivation?

The derivation is read from the reference answer's computation lines, the way domainsft's
worked steps (and most hand-written ones) print them::

    Operating margin = operating profit / revenue × 100% = 449.8 / 2,140.3 × 100% = 21.02%
    同比增长率 = (本年 - 上年) / |上年| × 100% = (81 - 75) / |75| × 100% = 8.00%

A line is split at ``=`` / ``≈``. A *numeric* segment holds two or more figures and no words
(only numbers, operators, brackets, ``|…|``); a *symbolic* segment holds words and an operator
(the formula). A computation line has a numeric segment before its last segment. Then:

* operands: the figures of the numeric segments, except the formula's constants (a figure that
  the symbolic segment of the same line prints too: the ``100%`` of ``× 100%``, the ``2`` of an
  average), once each by absolute value; an intermediate result used by a later line (an
  average balance) is an operand of that line;
* result: the first figure of the last segment of the last computation line, compared as a
  gold (``figures.present``: at its precision, read in its unit, a decrease for a negative),
  or ``meta.gold`` where the item has one.

An operand counts as shown when the output prints it, sign aside, at the operand's precision in
any form (``$449.8 million``, ``449,800,000``, or a bare ``449.8`` as in the report's table; see
``index.FigureIndex``). Score: (operands shown + result shown) / (operands + 1).
"""

from __future__ import annotations

import re

from domainsft.eval.items import EvalItem
from domainsft.eval.metrics.base import MetricEnv
from domainsft.eval.metrics.figures import GoldNumber, from_spec
from domainsft.grounding import FigureIndex, present, value_numbers
from domainsft.numbers import Quantity

_EQUALS = re.compile(r"[=＝≈]")
_WORD = re.compile(r"[A-Za-z\u4e00-\u9fff]")
_OPERATOR = re.compile(r"[+\-−×÷*/]")


def derivation(reference: str) -> tuple[list[Quantity], Quantity | None]:
    """``(operands, result)`` of the reference's computation lines (see the module docstring)."""
    operands: dict = {}
    result = None
    for line in reference.splitlines():
        segments = _EQUALS.split(line)
        if len(segments) < 2 or not any(_numeric(s) for s in segments[:-1]):
            continue
        constants = {abs(q.value) for s in segments if _symbolic(s) for q in value_numbers(s)}
        for seg in segments[:-1]:
            if _numeric(seg):
                for q in value_numbers(seg):
                    if abs(q.value) not in constants:
                        operands.setdefault(abs(q.value), q)
        last = value_numbers(segments[-1])
        result = last[0] if last else result
    return list(operands.values()), result


def _numeric(segment: str) -> bool:
    numbers = value_numbers(segment)
    return len(numbers) >= 2 and not _WORD.search(_without(segment, numbers))


def _symbolic(segment: str) -> bool:
    rest = _without(segment, value_numbers(segment))
    return bool(_WORD.search(rest)) and bool(_OPERATOR.search(rest))


def _without(segment: str, numbers: list[Quantity]) -> str:
    """``segment`` with the printed figures blanked out (``$449.8 million`` has words)."""
    chars = list(segment)
    for q in numbers:
        if q.span:
            chars[q.span[0] : q.span[1]] = " " * (q.span[1] - q.span[0])
    return "".join(chars)


def cot_consistency(item: EvalItem, output: str, env: MetricEnv) -> float | None:
    """Share of the reference derivation's operands and result that the output shows."""
    if not item.meta.get("formula") or not item.reference:
        return None
    operands, result = derivation(item.reference)
    if result is None:
        return None
    gold = from_spec(item.meta.get("gold") or {}) or GoldNumber(result, result.precision)
    shown = FigureIndex(value_numbers(output), derive_limit=0)
    found = sum(shown.has(q) for q in operands) + present(gold, output)
    return found / (len(operands) + 1)
