"""Planting one error in a correct reference answer, the way models get figures wrong.

Kinds: ``digit`` (one digit of a verified figure changed), ``scale`` (万 for 亿, million for
billion, thousand for million), ``rounding`` (the last printed digit of a computed result one
off), ``swap`` (the first and last operands of a shown computation exchanged, the result kept)
and ``year`` (a figure replaced by the same metric's figure of another year, printed the same
way). Each planting returns the new answer and where the planted figure starts, or None where
the answer has nothing of that kind.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from decimal import Decimal

from domainsft.assistant.arithmetic import join_spaced_groups, shown_computations
from domainsft.assistant.evidence import Evidence
from domainsft.assistant.rewrite import rewrite_number
from domainsft.assistant.verifier import NumberCheck, verify
from domainsft.grounding import value_numbers

KINDS = ("digit", "scale", "rounding", "swap", "year")
# 百万元 becomes 亿元, not 百亿元 (longest words first)
_SCALES = {"百万": "亿", "万": "亿", "亿": "万", "million": "billion", "billion": "million",
           "thousand": "million"}  # fmt: skip


@dataclass
class Planted:
    kind: str
    answer: str
    start: int  # where the planted figure starts in ``answer``


def plant(kind: str, answer: str, ev: Evidence, rng: random.Random) -> Planted | None:
    checks = verify(answer, ev).numbers
    return {"digit": _digit, "scale": _scale, "rounding": _rounding, "swap": _swap,
            "year": _year}[kind](answer, checks, ev, rng)  # fmt: skip


def _verified(checks: list[NumberCheck]) -> list[NumberCheck]:
    return [c for c in checks if c.status == "verified"]


def _digit(answer: str, checks: list[NumberCheck], ev: Evidence, rng: random.Random):
    picks = [c for c in _verified(checks) if sum(ch.isdigit() for ch in c.printed) >= 2]
    if not picks:
        return None
    c = rng.choice(picks)
    positions = [i for i, ch in enumerate(c.printed) if ch.isdigit()][1:]
    i = rng.choice(positions)
    new = c.printed[:i] + str((int(c.printed[i]) + rng.randint(1, 8)) % 10) + c.printed[i + 1 :]
    return Planted("digit", _swap_in(answer, c, new), c.span[0])


def _scale(answer: str, checks: list[NumberCheck], ev: Evidence, rng: random.Random):
    picks = [(c, next(w for w in _SCALES if w in c.printed)) for c in _verified(checks)
             if any(w in c.printed for w in _SCALES)]  # fmt: skip
    if not picks:
        return None
    c, word = rng.choice(picks)
    return Planted(
        "scale", _swap_in(answer, c, c.printed.replace(word, _SCALES[word], 1)), c.span[0]
    )


def _rounding(answer: str, checks: list[NumberCheck], ev: Evidence, rng: random.Random):
    picks = [c for c in checks if c.status == "recomputed" and re.search(r"\.\d+", c.printed)]
    if not picks:
        return None
    c = rng.choice(picks)
    m = list(re.finditer(r"\d", c.printed))[-1]
    digit = int(m.group(0))
    new_digit = digit + 1 if digit < 9 else digit - 1
    new = c.printed[: m.start()] + str(new_digit) + c.printed[m.end() :]
    return Planted("rounding", _swap_in(answer, c, new), c.span[0])


def _swap(answer: str, checks: list[NumberCheck], ev: Evidence, rng: random.Random):
    text = join_spaced_groups(answer)
    shown = [s for s in shown_computations(text) if s.correct and len(s.operands) >= 2]
    # a quotient's operands: exchanging them changes its value (a sum's would not)
    picks = [(s, _divisor(s, text)) for s in shown]
    picks = [(s, b) for s, b in picks if b is not None and abs(b.value) != abs(s.operands[0].value)]
    if not picks:
        return None
    s, b = rng.choice(picks)
    a = s.operands[0]
    first, last = answer[a.span[0] : a.span[1]], answer[b.span[0] : b.span[1]]
    out = answer[: a.span[0]] + last + answer[a.span[1] : b.span[0]] + first + answer[b.span[1] :]
    return Planted("swap", out, s.result.span[0])  # the two swapped strings keep its offset


def _divisor(s, text: str):
    """The first operand after the first division sign: a / b becomes b / a."""
    for prev, op in zip(s.operands, s.operands[1:], strict=False):
        if re.search(r"[/÷]", text[prev.span[1] : op.span[0]]):
            return op
    return None


def _year(answer: str, checks: list[NumberCheck], ev: Evidence, rng: random.Random):
    picks = []
    for c in _verified(checks):
        fact = next((f for f in ev.facts if c.source and f.fact_id == c.source.fact_id), None)
        if fact is None:
            continue
        others = [
            g
            for g in ev.facts
            if g.metric == fact.metric and g.fiscal_year != fact.fiscal_year
            and g.unit == fact.unit and Decimal(g.value) != Decimal(fact.value)
        ]  # fmt: skip
        if others:
            picks.append((c, rng.choice(others)))
    if not picks:
        return None
    c, other = rng.choice(picks)
    q = next(q for q in value_numbers(join_spaced_groups(answer)) if q.span == c.span)
    new = rewrite_number(q, Decimal(other.value)).replace("\u2009", " ")
    if new == c.printed:
        return None
    return Planted("year", _swap_in(answer, c, new), c.span[0])


def _swap_in(answer: str, c: NumberCheck, new: str) -> str:
    return answer[: c.span[0]] + new + answer[c.span[1] :]


def caught(
    p: Planted, ev: Evidence, question: str, years: list[int], metric: str | None = None
) -> bool:
    """Whether the verifier does not pass the planted figure as verified or recomputed."""
    v = verify(p.answer, ev, question, years, metric=metric)
    hit = [n for n in v.numbers if n.span[0] == p.start]
    return bool(hit) and hit[0].status in ("corrected", "unverified")
