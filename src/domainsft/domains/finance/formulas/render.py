"""Expressions as a reader writes them, and the names of the metrics in them."""

from __future__ import annotations

import ast
from collections.abc import Callable
from decimal import Decimal

from domainsft.domains.finance import metrics
from domainsft.domains.finance.formulas.expr import _is_call
from domainsft.domains.finance.formulas.library import extra_inputs, formulas

# ---------------------------------------------------------------------------- rendering

_PRECEDENCE = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2, ast.Pow: 4}
_SYMBOL = {ast.Add: "+", ast.Sub: "-", ast.Mult: "×", ast.Div: "/", ast.Pow: "^"}
Leaf = Callable[[ast.AST], "str | None"]


def _precedence(node: ast.AST) -> int:
    if isinstance(node, ast.BinOp):
        return _PRECEDENCE[type(node.op)]
    return 3 if isinstance(node, ast.UnaryOp) else 9


def render(node: ast.AST, leaf: Leaf) -> str:
    """An expression as a reader writes it; ``leaf`` names or numbers the metric terms."""
    text = leaf(node)
    if text is not None:
        return text
    if isinstance(node, ast.BinOp):
        return _render_binop(node, leaf)
    if isinstance(node, ast.UnaryOp):
        inner = render(node.operand, leaf)
        inner = f"({inner})" if _precedence(node.operand) < 3 else inner
        return ("-" if isinstance(node.op, ast.USub) else "+") + inner
    if isinstance(node, ast.Call):
        args = [render(a, leaf) for a in node.args]
        if _is_call(node, "abs"):
            return f"|{args[0]}|"
        return f"({' + '.join(args)}) / {len(args)}"  # avg; prior() is always a leaf
    if isinstance(node, ast.Constant):
        return str(Decimal(repr(node.value)))
    return node.id if isinstance(node, ast.Name) else ast.unparse(node)


def _render_binop(node: ast.BinOp, leaf: Leaf) -> str:
    p = _precedence(node)
    left, right = render(node.left, leaf), render(node.right, leaf)
    # Left operands of ^ and right operands of - / ^ need parens at equal precedence too.
    if _precedence(node.left) < p or (_precedence(node.left) == p and p == 4):
        left = f"({left})"
    if _precedence(node.right) < p or (
        _precedence(node.right) == p and not isinstance(node.op, ast.Add | ast.Mult)
    ):
        right = f"({right})"
    return f"{left} {_SYMBOL[type(node.op)]} {right}"


def metric_label(metric_id: str, lang: str = "zh") -> str:
    """The canonical name of a taxonomy metric, formula or extra input (en: lower case)."""
    names: tuple[str, ...] | list[str] = ()
    if metric_id in metrics():
        m = metrics()[metric_id]
        names = m.zh if lang == "zh" else m.en
    elif metric_id in formulas():
        names = formulas()[metric_id].zh if lang == "zh" else formulas()[metric_id].en
    elif metric_id in extra_inputs():
        names = extra_inputs()[metric_id][lang]
    name = names[0] if names else metric_id
    return name if lang == "zh" else _lower_first(name)


def _lower_first(name: str) -> str:
    """Cost of revenue → cost of revenue; EBITDA, R&D expenses and ROE stay as they are."""
    return name[0].lower() + name[1:] if name[:2].istitle() and name[1:2].islower() else name


def _upper_first(name: str) -> str:
    return name[:1].upper() + name[1:]


def _prior_label(label: str, lang: str) -> str:
    return f"上年{label}" if lang == "zh" else f"prior-year {label}"


def _average_label(label: str, lang: str) -> str:
    return f"平均{label}" if lang == "zh" else f"average {label}"
