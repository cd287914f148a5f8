"""The formula language: ``ast`` checked on parse, evaluated on Decimals, no ``eval``."""

from __future__ import annotations

import ast
import decimal
import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

FUNCTIONS = ("abs", "avg", "prior")
_MAX_EXPR = 500  # characters: formulas are short; a cap keeps the parser's recursion shallow
_MAX_EXPONENT = 100  # CAGR needs 1/years; a huge power is a mistake or an attack


class UnsafeExpression(ValueError):
    """An expression that uses anything beyond the formula language."""


class NotComputable(Exception):
    """A formula that cannot be evaluated on these numbers (zero denominator, negative root)."""


# ---------------------------------------------------------------------------- safe expressions


@cache
def parse_expression(expr: str) -> ast.Expression:
    """Parse and check an expression; ``UnsafeExpression`` for anything outside the language."""
    if len(expr) > _MAX_EXPR:
        raise UnsafeExpression(f"expression longer than {_MAX_EXPR} characters")
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError as err:
        raise UnsafeExpression(f"not an expression: {expr!r} ({err.msg})") from None
    for node in ast.walk(tree):
        _check_node(node)
    for node in _names(tree):
        if node.id in FUNCTIONS:
            raise UnsafeExpression(f"{node.id} is a function, not a metric id")
    return tree


_ALLOWED = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Name, ast.Constant, ast.Call, ast.Load)
_OPERATORS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.USub, ast.UAdd)


def _check_node(node: ast.AST) -> None:
    if isinstance(node, _OPERATORS):
        return
    if not isinstance(node, _ALLOWED):
        raise UnsafeExpression(f"{type(node).__name__} is not allowed in a formula")
    if isinstance(node, ast.Constant) and (
        isinstance(node.value, bool)
        or not isinstance(node.value, int | float)
        or not math.isfinite(node.value)
    ):
        raise UnsafeExpression(f"constant {node.value!r} is not a number")
    if isinstance(node, ast.Name) and (node.id.startswith("_") or not node.id.isidentifier()):
        raise UnsafeExpression(f"name {node.id!r} is not allowed")
    if isinstance(node, ast.Call):
        _check_call(node)


def _check_call(node: ast.Call) -> None:
    name = node.func.id if isinstance(node.func, ast.Name) else None
    if name not in FUNCTIONS or node.keywords:
        raise UnsafeExpression(f"call {ast.unparse(node.func)}(...) is not allowed")
    arity_ok = len(node.args) == 1 if name in ("abs", "prior") else len(node.args) >= 1
    if not arity_ok or any(isinstance(a, ast.Starred) for a in node.args):
        raise UnsafeExpression(f"{name}() takes {'one argument' if arity_ok else 'arguments'}")
    if name == "prior" and not (
        isinstance(node.args[0], ast.Name) and node.args[0].id not in FUNCTIONS
    ):
        raise UnsafeExpression("prior() takes a metric id")


def names_in(expr: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Metric ids an expression reads, in order of first appearance: (current, prior period)."""
    tree = parse_expression(expr)
    prior_args = {id(n.args[0]) for n in ast.walk(tree) if _is_call(n, "prior")}
    current: dict[str, None] = {}
    prior: dict[str, None] = {}
    for node in sorted(_names(tree), key=lambda n: (n.lineno, n.col_offset)):
        (prior if id(node) in prior_args else current)[node.id] = None
    return tuple(current), tuple(prior)


def _names(tree: ast.AST) -> list[ast.Name]:
    """Name nodes that are metric ids (a call's function name is a Name node too)."""
    functions = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    return [n for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in functions]


def _is_call(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name


def _is_average(node: ast.AST) -> bool:
    """avg(x, prior(x)): the average balance of one metric over the period."""
    if not _is_call(node, "avg") or len(node.args) != 2:  # type: ignore[attr-defined]
        return False
    cur, pri = node.args  # type: ignore[attr-defined]
    return isinstance(cur, ast.Name) and _is_call(pri, "prior") and pri.args[0].id == cur.id


@dataclass
class _Env:
    current: Mapping[str, Decimal]
    prior: Mapping[str, Decimal]
    show: Callable[[ast.AST], str]  # renders a sub-expression for messages


def evaluate(
    expr: str, values: Mapping[str, Decimal], prior: Mapping[str, Decimal] | None = None
) -> Decimal:
    """Evaluate an expression on Decimals (28 significant digits, no rounding of the result).

    A name missing from ``values``/``prior`` raises KeyError; ``compute`` checks inputs first."""
    env = _Env(values, prior or {}, ast.unparse)
    return _evaluate(parse_expression(expr).body, env)


def _evaluate(node: ast.AST, env: _Env) -> Decimal:
    with decimal.localcontext() as ctx:
        ctx.prec = 28
        try:
            value = _eval(node, env)
        except decimal.DecimalException as err:  # overflow, underflow, ...
            raise NotComputable(f"{env.show(node)} is out of range") from err
    if not value.is_finite():  # 0 ** -1 is Infinity without a signal
        raise NotComputable(f"{env.show(node)} is out of range")
    return value


def _eval(node: ast.AST, env: _Env) -> Decimal:
    if isinstance(node, ast.Constant):
        return Decimal(repr(node.value))  # repr of a literal is the digits as written
    if isinstance(node, ast.Name):
        return _number(env.current[node.id])
    if isinstance(node, ast.UnaryOp):
        value = _eval(node.operand, env)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.Call):
        return _eval_call(node, env)
    assert isinstance(node, ast.BinOp)  # parse_expression admits nothing else
    return _eval_binop(node, env)


def _eval_call(node: ast.Call, env: _Env) -> Decimal:
    name = node.func.id  # type: ignore[attr-defined]
    if name == "prior":
        return _number(env.prior[node.args[0].id])  # type: ignore[attr-defined]
    args = [_eval(a, env) for a in node.args]
    return abs(args[0]) if name == "abs" else sum(args, Decimal(0)) / len(args)


_ARITHMETIC = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul}


def _eval_binop(node: ast.BinOp, env: _Env) -> Decimal:
    left, right = _eval(node.left, env), _eval(node.right, env)
    op = node.op
    if isinstance(op, ast.Add | ast.Sub | ast.Mult):
        return _ARITHMETIC[type(op)](left, right)
    if isinstance(op, ast.Div):
        if right == 0:
            raise NotComputable(f"{env.show(node.right)} is 0")
        return left / right
    if abs(right) > _MAX_EXPONENT:
        raise NotComputable(f"exponent {right} is too large")
    if left < 0 and right != right.to_integral_value():
        raise NotComputable(f"{env.show(node.left)} is negative")
    return left**right


def _number(value: object) -> Decimal:
    if isinstance(value, float):
        raise TypeError("formula inputs are Decimal, never float (binary floats misround)")
    return Decimal(value)  # type: ignore[arg-type]
