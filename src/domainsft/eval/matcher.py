"""The numeric matcher: which number in a free-text answer is the answer, and is it right.

Every number is read by the shared kernel (``find_quantities``) with its unit and scale, so
``11.75亿元``, ``117,530.10万元``, ``$1,577 million``, ``(10.9%)``, ``−4.49%``, full-width
digits and ``百分之二十`` are all base-unit Decimals. Years, dates, page and section numbers and
list markers are locators, never the answer. Of the remaining numbers whose unit fits the gold,
the answer is the first one after the last final-answer cue (``答案``, ``因此``, ``Answer:``,
``therefore``), else the result of the last computation (after the last ``=`` that follows an
operator), else the first one. A fraction is read against a percent gold (``0.2`` = 20%) and a
percentage against a unitless gold (``12%`` = 0.12), as TAT-QA's official metric does; in the
``erc`` mode a percentage also matches a unitless gold by its percent points (``0.25%`` = 0.25:
the challenge's golds give ratios so).

Verdicts: ``correct``; ``wrong`` (a number was given, with a reason: value, sign, scale,
precision, unit); ``unparseable`` (no number that can be an answer, or a refusal).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal

from domainsft.eval.gold import Gold
from domainsft.eval.text import is_not_available, read_boolean, text_match
from domainsft.grounding import readings
from domainsft.numbers import Quantity, find_quantities, numbers_equal, parse_quantity

# Modes: how two numbers are compared. strict: equal at the gold's precision. erc: the
# Enterprise RAG Challenge rule, within 1 % relative.
MODES: dict[str, Decimal | None] = {"strict": None, "erc": Decimal("0.01")}

_FINAL_CUE = re.compile(
    r"答案|答：|最终|综上|因此|所以|故而|(?<![A-Za-z])(?i:answer|final|therefore|thus|hence"
    r"|in\s+total|in\s+summary)(?![A-Za-z])"
)
# "下降10.9%", "decreased by 10.9%": the printed figure is the size of a negative change.
_DECREASE = re.compile(
    r"(?:下降|减少|降低|下滑|下跌|减)了?\s*$"
    r"|(?i:decreased?|declined?|fell|dropped|down)\s+(?i:by\s+)?$"
    r"|(?i:a\s+(?:decrease|decline|drop|fall)\s+of)\s+$"
)
_COMPUTED = re.compile(r"[+\-−×÷*/][^=\n]*[=＝≈]")


@dataclass(frozen=True)
class Match:
    """One verdict: ``correct``, ``wrong`` or ``unparseable``, with the reason and evidence."""

    verdict: str
    reason: str = ""
    predicted: str | None = None  # the answer as printed in the output
    predicted_value: Decimal | None = None  # in base units, read as the gold's unit
    gold_elsewhere: bool = False  # another number in the output equals the gold


def candidates(output: str, years: bool = False) -> list[Quantity]:
    """Numbers that can be an answer, left to right; a lone ``2019`` is one (not a year).
    With ``years`` (the gold itself is a year), an output with no other number gives its
    years: "The answer is 2019." """
    quantities = find_quantities(output)
    found = [q for q in quantities if q.is_candidate]
    if not found and years:
        found = [q for q in quantities if q.role == "year"]
    if not found:
        whole = parse_quantity(output.strip().rstrip("。.") or "")
        if whole is not None:
            found = [replace(whole, span=(0, len(output)))]
    return found


def _equal(a: Quantity, gold: Quantity, step: Decimal, rel_tol: Decimal | None) -> bool:
    if rel_tol is not None:
        return numbers_equal(a, gold, rel_tol=rel_tol)
    return numbers_equal(replace(a, quantum=step), replace(gold, quantum=step))


def choose(output: str, usable: list[Quantity]) -> Quantity:
    """The answer among the usable numbers (see the module docstring)."""
    cues = list(_FINAL_CUE.finditer(output))
    if cues:
        after = [q for q in usable if q.span and q.span[0] >= cues[-1].end()]
        if after:
            return after[0]
    computed = list(_COMPUTED.finditer(output))
    if computed:
        after = [q for q in usable if q.span and q.span[0] >= computed[-1].end()]
        if after:
            return after[0]
    return usable[0]


def match_number(
    output: str, gold: Quantity, step: Decimal, rel_tol: Decimal | None = None
) -> Match:
    """Score a free-text ``output`` against a numeric gold compared at ``step`` (base units),
    or within ``rel_tol`` relative when given."""
    found = candidates(output, years=_is_year(gold))
    if not found:
        return Match("unparseable", "declined" if is_not_available(output) else "no number")
    usable = [r for q in found for r in readings(q, gold)[:1]]
    if not usable:
        return Match("wrong", "unit", found[0].printed)
    answer = choose(output, usable)
    if _equal(answer, gold, step, rel_tol):
        return Match("correct", "", answer.printed, answer.value)
    if answer.span and _DECREASE.search(output[max(answer.span[0] - 16, 0) : answer.span[0]]):
        negated = replace(answer, value=-answer.value)
        if _equal(negated, gold, step, rel_tol):
            return Match("correct", "", answer.printed, negated.value)
    printed = next((q for q in found if q.span == answer.span), answer)
    # The challenge's gold gives a ratio in percent points: 0.25 for "0.25%".
    points = rel_tol is not None and printed.unit == "%" and not gold.unit
    if points and _equal(replace(printed, unit=""), gold, step, rel_tol):
        return Match("correct", "", answer.printed, printed.value)
    elsewhere = any(_equal(q, gold, step, rel_tol) for q in usable if q is not answer)
    reason = _why(answer, gold, step)
    return Match("wrong", reason, answer.printed, answer.value, elsewhere)


def _is_year(gold: Quantity) -> bool:
    """A gold such as ``2019`` (TAT-QA: "In which year was ... highest?")."""
    return (
        not gold.unit
        and gold.scale in ("1", "")
        and gold.value == gold.value.to_integral_value()
        and 1900 <= gold.value <= 2099
    )


def _why(answer: Quantity, gold: Quantity, step: Decimal) -> str:
    """What went wrong, for error analysis: sign, scale (off by a power of ten), precision
    (right once rounded to the answer's own coarser precision), or the value itself."""
    if answer.value != 0 and _equal(replace(answer, value=-answer.value), gold, step, None):
        return "sign"
    for exp in (3, 4, 6, 8, 9, 2, -2, -3, -4, -6, -8, -9):
        shifted = replace(answer, value=answer.value.scaleb(exp), quantum=None)
        if gold.value != 0 and _equal(shifted, gold, step, None):
            return "scale"
    if answer.precision > step and numbers_equal(answer, gold):
        return "precision"
    return "value"


def match_answer(output: str, gold: Gold, mode: str = "strict") -> Match:
    """Score one output against any kind of gold (number, yes/no, N/A, name, list)."""
    rel_tol = MODES[mode]
    output = output or ""
    if gold.kind == "number":
        assert gold.quantity is not None and gold.step is not None
        return match_number(output, gold.quantity, gold.step, rel_tol)
    if gold.kind == "boolean":
        said = read_boolean(output)
        if said is None:
            return Match("unparseable", "no yes/no")
        return Match("correct" if said == gold.boolean else "wrong", "", str(said))
    if gold.kind == "na":
        ok = is_not_available(output)
        return Match("correct" if ok else "wrong", "" if ok else "answered, gold is N/A")
    if gold.kind == "list":
        # Every item must be there; a number item may be any number of the output.
        parts = [match_answer(output, item, mode) for item in gold.items]
        found = [p.verdict == "correct" or p.gold_elsewhere for p in parts]
        if all(found):
            return Match("correct")
        if all(p.verdict == "unparseable" for p in parts):
            return Match("unparseable", "no item found")
        missing = found.count(False)
        return Match("wrong", f"{missing} of {len(parts)} items missing or wrong")
    verdict, how = text_match(output, gold.printed)
    return Match(verdict, "" if verdict == "correct" else how)
