"""Arithmetic an answer shows: ``1 647 ÷ 6 423 × 100% ≈ 25.64%``, ``(361.6 - 272.1) / |272.1|``.

An answer's text is cut at its ``=``/``≈`` signs; a side made only of figures, operators
(``+ - − × * ÷ /``), parentheses and ``|x|`` (absolute value) is an *expression*, and the first
figure after the sign that follows it is its *result*. Words, units, currency signs and page
citations inside a side are ignored (``营业收入1,000万元 − 营业成本600万元``), but a side that mixes
words with fewer than two figures is a formula in words (``毛利率 = (营业收入 − 营业成本) ÷
营业收入``) and is skipped. Expressions are evaluated on Decimals by the domain pack's safe
interpreter (``formulas.evaluate``: no ``eval``).

Percent figures enter as fractions (12.5% = 0.125), so ``× 100%`` is × 1 and a percent result is
compared as a fraction; an expression whose value is already in percent points (``× 100 =
20%``) is read that way too. Figures are taken in base units (``1.2亿元`` = 120,000,000) and, when
that reading fails, in their printed digits (``(1,200 − 1,000) = 200万元``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from domainsft.domains.finance.formulas import NotComputable, UnsafeExpression, evaluate
from domainsft.grounding import BRACKETED, PERCENT, value_numbers
from domainsft.numbers import Quantity, scale_factor

_SIGN = re.compile(r"[=＝≈]|约等于|约为")
_OPERATORS = {"+": "+", "-": "-", "−": "-", "–": "-", "×": "*", "*": "*", "÷": "/", "/": "/"}
_PARENS = {"(": "(", ")": ")", "（": "(", "）": ")"}
# Between a sign and its result: spaces, currency, "约", "about".
_RESULT_GAP = re.compile(r"^[\s$¥€£]*(?:约|大约|about|approximately|approx\.)?[\s$¥€£]*$", re.I)
_SPACED_GROUPS = re.compile(r"(?<![\d.,])(\d{1,3})((?: \d{3})+)(?![\d])")


@dataclass(frozen=True)
class Shown:
    """One computation an answer shows: its operands, its result and what they come to."""

    operands: tuple[Quantity, ...]
    result: Quantity
    value: Decimal | None  # what the result should be, in its own terms (base units, percent
    # points); None where the expression cannot be computed
    correct: bool  # the result, at its printed precision, equals ``value``
    words: tuple[int, int] | None = None  # the same formula in words, just before: "毛利率 =
    # (营业收入 − 营业成本) ÷ 营业收入 = (1,000 − 600) ÷ 1,000" names each operand


def join_spaced_groups(text: str) -> str:
    """``1 647 亿元`` → ``1 647 亿元`` with a thin space, which the numbers kernel reads as a
    thousands separator (plain spaces group only in table cells): same length, same spans.
    Only where a scale word, a unit or an operator follows or an operator comes before,
    so that ``2019 123`` in prose stays two numbers."""

    def fix(m: re.Match[str]) -> str:
        before, after = text[max(m.start() - 3, 0) : m.start()], text[m.end() : m.end() + 4]
        if not (_OPERATOR_NEAR.search(before) or _UNIT_AFTER.match(after)):
            return m.group(0)
        return m.group(1) + m.group(2).replace(" ", "\u2009")

    return _SPACED_GROUPS.sub(fix, text)


_OPERATOR_NEAR = re.compile(r"[+\-−×*÷/=≈(（]\s*$")
_UNIT_AFTER = re.compile(
    r"\s*(?:[万亿千百]|元|[%％]|[+\-−×*÷/=≈)）]|million|billion|thousand)", re.I
)


def shown_computations(text: str) -> list[Shown]:
    """Every computation ``text`` shows, left to right (see the module docstring)."""
    figures = [q for q in value_numbers(text) if q.span]
    signs = list(_SIGN.finditer(text))
    out, start = [], _clause_start(text, signs[0].start()) if signs else 0
    previous: tuple[int, int] | None = None  # the side before, when it holds no figure
    for i, sign in enumerate(signs):
        side = [q for q in figures if start <= q.span[0] and q.span[1] <= sign.start()]
        result = _result(text, sign.end(), figures)
        if result is not None and len(side) >= 2:
            expr = _expression(text, start, sign.start(), side)
            if expr is not None:
                shown = _check(expr, side, result)
                out.append(replace(shown, words=previous))
        named = [q for q in side if not (q.unit in PERCENT and q.value == 100)]  # × 100%
        previous = None if named else (start, sign.start())
        nxt = signs[i + 1].start() if i + 1 < len(signs) else len(text)
        start = sign.end() if _same_clause(text, sign.end(), nxt) else _clause_start(text, nxt)
    return out


def _clause_start(text: str, pos: int) -> int:
    cut = max(text.rfind(c, 0, pos) for c in "\n:：。；;")
    return cut + 1


def _same_clause(text: str, a: int, b: int) -> bool:
    return not any(c in text[a:b] for c in "\n。；;")


def _result(text: str, after: int, figures: list[Quantity]) -> Quantity | None:
    for q in figures:
        if q.span[0] >= after:
            return q if _RESULT_GAP.match(text[after : q.span[0]]) else None
    return None


def _expression(text: str, start: int, end: int, side: list[Quantity]) -> str | None:
    """The side as ``v0 / v1 * v2`` with placeholders, or None when it is not arithmetic."""
    chunk = list(text[start:end])
    for i, q in enumerate(side):  # placeholders, right to left so offsets stay valid
        a, b = q.span[0] - start, q.span[1] - start
        chunk[a:b] = [f"\x00{i}\x00"] + [""] * (b - a - 1)
    body = BRACKETED.sub(" ", "".join(chunk))
    tokens, depth_bar = [], False
    for piece in re.split(r"(\x00\d+\x00)", body):
        if piece.startswith("\x00"):
            i = int(piece.strip("\x00"))
            if tokens and tokens[-1].startswith("v"):
                if side[i].printed.lstrip()[:1] not in ("+", "-", "−", "–"):
                    return None  # two figures with nothing between: a list, not arithmetic
                tokens.append("+")  # "1,000 + 600", "1,000 -600": the sign was read into it
            tokens.append(f"v{i}")
            continue
        for ch in piece:
            if ch in _OPERATORS:
                tokens.append(_OPERATORS[ch])
            elif ch in _PARENS:
                tokens.append(_PARENS[ch])
            elif ch == "|":
                tokens.append(")" if depth_bar else "abs(")
                depth_bar = not depth_bar
    if depth_bar or not any(t in "+-*/" for t in tokens):
        return None
    expr = " ".join(tokens).replace("( ", "(").replace(" )", ")")
    return expr if _balanced(expr) else None


def _balanced(expr: str) -> bool:
    depth = 0
    for ch in expr:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def _check(expr: str, side: list[Quantity], result: Quantity) -> Shown:
    """Evaluate in base units, then in printed digits; the first reading that gives the
    result at its precision wins. Otherwise the value that should have been printed: the base
    reading (digits when every operand is bare and the result is scaled), as a fraction for a
    percent result unless the expression multiplies by a bare 100."""
    fallback: Decimal | None = None
    prefer_digits = all(q.scale in ("", "1") for q in side) and result.scale not in ("", "1")
    for digits in (prefer_digits, not prefer_digits):
        values = {f"v{i}": _operand(q, digits) for i, q in enumerate(side)}
        try:
            got = evaluate(expr, values)
        except (NotComputable, UnsafeExpression, KeyError, ArithmeticError):
            continue
        candidates = _as_result(got, result, digits, _points(expr, side))
        for value in candidates:
            if at_step(value, result.precision) == at_step(result.value, result.precision):
                return Shown(tuple(side), result, value, True)
        fallback = candidates[0] if fallback is None else fallback
    return Shown(tuple(side), result, fallback, False)


def _operand(q: Quantity, digits: bool) -> Decimal:
    if q.unit in PERCENT:
        return q.value / 100
    return q.value / scale_factor(q.scale) if digits and q.scale else q.value


def _as_result(got: Decimal, result: Quantity, digits: bool, points: bool) -> list[Decimal]:
    """The expression's value in the result's own terms (base units, percent points)."""
    if result.unit in PERCENT:
        return [got, got * 100] if points else [got * 100, got]
    return [got * scale_factor(result.scale) if digits and result.scale else got]


def at_step(value: Decimal, step: Decimal) -> Decimal:
    """``value`` rounded ROUND_HALF_UP to a multiple of ``step`` (0.01, 1,000,000 ...)."""
    return (value / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step


def _points(expr: str, side: list[Quantity]) -> bool:
    """Whether the expression multiplies by a bare 100 (``× 100 = 20%``)."""
    bare = [i for i, q in enumerate(side) if q.value == 100 and q.unit not in PERCENT]
    return any(f"* v{i}" in expr for i in bare)
