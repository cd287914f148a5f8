"""Statement line specifications, their evaluation against a history, and the add-up check.

A spec line names the history figures it prints (``"prepayments+other_current"``, ``"-capex"``)
and, for subtotals, the printed lines it must equal (``"cfo_in-cfo_out"``). Values come from
the history; the formulas are only ever *checked*, so a sign slip in a spec is caught by the
tests instead of being silently "fixed" by recomputation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TERM = re.compile(r"([+-]?)([a-z_0-9]+)")


@dataclass(frozen=True)
class Spec:
    key: str
    label: str
    expr: str = ""  # history figures with signs; empty for a heading row
    metric: str | None = None
    formulas: tuple[str, ...] = ()  # each: other line keys with signs that sum to this line
    kind: str = "money"  # money | per_share
    level: int = 0
    bold: bool = False


def item(
    key: str,
    label: str,
    metric: str | None = None,
    expr: str = "",
    level: int = 1,
    kind: str = "money",
) -> Spec:
    return Spec(key, label, expr or key, metric, (), kind, level)


def total(
    key: str,
    label: str,
    formula: str | tuple[str, ...],
    metric: str | None = None,
    expr: str = "",
    level: int = 0,
) -> Spec:
    formulas = (formula,) if isinstance(formula, str) else formula
    return Spec(key, label, expr or key, metric, formulas, "money", level, True)


def head(label: str, level: int = 0) -> Spec:
    return Spec("", label, "", None, (), "money", level, True)


def terms(expr: str) -> list[tuple[int, str]]:
    """``"a+b-c"`` -> ``[(1, "a"), (1, "b"), (-1, "c")]``."""
    return [(-1 if sign == "-" else 1, name) for sign, name in _TERM.findall(expr.replace(" ", ""))]


@dataclass(frozen=True)
class Line:
    spec: Spec
    cur: int | None  # ticks (money) or cents (per share); None for heading rows
    prior: int | None


def evaluate(specs: list[Spec], cur: dict[str, int], prior: dict[str, int]) -> list[Line]:
    out = []
    for s in specs:
        if not s.expr:
            out.append(Line(s, None, None))
            continue
        pairs = terms(s.expr)
        out.append(Line(s, sum(k * cur[n] for k, n in pairs), sum(k * prior[n] for k, n in pairs)))
    return out


def flip(specs: list[Spec], keys: set[str]) -> list[Spec]:
    """Print the ``keys`` lines with the opposite sign (UK style: costs shown as ``(1,234)``),
    adjusting every formula so that the printed figures still add up."""
    out = []
    for s in specs:
        expr = _negate(s.expr) if s.key in keys else s.expr
        formulas = tuple(_flip_formula(f, keys, s.key in keys) for f in s.formulas)
        out.append(Spec(s.key, s.label, expr, s.metric, formulas, s.kind, s.level, s.bold))
    return out


def _negate(expr: str) -> str:
    return "".join(f"{'+' if k < 0 else '-'}{n}" for k, n in terms(expr))


def _flip_formula(formula: str, keys: set[str], self_flipped: bool) -> str:
    flipped = []
    for k, n in terms(formula):
        k = -k if n in keys else k
        flipped.append((-k if self_flipped else k, n))
    return "".join(f"{'+' if k > 0 else '-'}{n}" for k, n in flipped)


def check(lines: list[Line]) -> list[str]:
    """Every subtotal formula that does not hold on the printed values, as readable text."""
    by_key = {ln.spec.key: ln for ln in lines if ln.spec.key}
    errors = []
    for ln in lines:
        for formula in ln.spec.formulas:
            for col in ("cur", "prior"):
                want = getattr(ln, col)
                got = sum(k * getattr(by_key[n], col) for k, n in terms(formula))
                if want != got:
                    errors.append(f"{ln.spec.label} [{col}]: {want} != {formula} = {got}")
    return errors
