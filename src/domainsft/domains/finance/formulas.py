"""Derived metrics as data: ``formulas.yaml`` evaluated on Decimals, with worked steps.

Each formula is an expression over metric ids of the taxonomy. It is parsed with ``ast`` and
evaluated by a small interpreter that knows only numbers, metric ids, ``+ - * / **``,
parentheses, ``abs``, ``avg`` and ``prior`` — anything else (attribute access, subscripts,
other calls, ``__import__``) is refused when the formula is loaded, and ``eval`` is never used.

``compute`` never guesses: a missing input or a zero denominator gives ``value=None`` and a
message that names what is missing, in the metric names of the requested language.
"""

from __future__ import annotations

import ast
import decimal
import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

import yaml

from domainsft.domains.finance import PACK_DIR, metrics
from domainsft.numbers import format_number, round_half_up

KINDS = ("percent", "ratio", "times", "days", "money")
FUNCTIONS = ("abs", "avg", "prior")
_MAX_EXPR = 500  # characters: formulas are short; a cap keeps the parser's recursion shallow
_MAX_SHOWN_PLACES = 10  # an input with more decimals is shown rounded in the steps
_MAX_EXPONENT = 100  # CAGR needs 1/years; a huge power is a mistake or an attack


class UnsafeExpression(ValueError):
    """An expression that uses anything beyond the formula language."""


class NotComputable(Exception):
    """A formula that cannot be evaluated on these numbers (zero denominator, negative root)."""


@dataclass(frozen=True)
class Formula:
    id: str
    zh: tuple[str, ...]  # canonical name first, then synonyms
    en: tuple[str, ...]
    expr: str
    kind: str  # percent | ratio | times | days | money
    places: int = 2
    inputs: tuple[str, ...] = ()  # current-period metric ids
    prior: tuple[str, ...] = ()  # metric ids also needed one period earlier
    family: str | None = None  # roe, roa: several variants of one metric
    derived: bool = True
    note: str = ""

    def name(self, lang: str) -> str:
        return (self.zh if lang == "zh" else self.en)[0]


@dataclass
class Computation:
    metric: str
    value: Decimal | None  # percent kinds in percent points (28.26 means 28.26%)
    kind: str
    places: int
    formula: str  # human readable, in the requested language
    inputs: dict[str, Decimal]  # metric id (or prior(id)) -> value used
    steps: list[str]
    missing: list[str]  # metric ids, prior ones as prior(id)
    derived: bool = True
    message: str = ""  # why value is None

    @property
    def text(self) -> str:
        return self.message if self.value is None else "\n".join(self.steps)


# ---------------------------------------------------------------------------- loading


@cache
def _raw() -> dict:
    return yaml.safe_load((PACK_DIR / "formulas.yaml").read_text(encoding="utf-8"))


@cache
def formulas() -> dict[str, Formula]:
    """Every derived metric of the pack, keyed by id; each expression checked on load."""
    out = {}
    for fid, spec in _raw()["formulas"].items():
        inputs = spec.get("inputs", {})
        formula = Formula(
            id=fid,
            zh=tuple(spec["zh"]),
            en=tuple(spec["en"]),
            expr=spec["expr"],
            kind=spec["kind"],
            places=int(spec.get("places", 2)),
            inputs=tuple(inputs.get("current", [])),
            prior=tuple(inputs.get("prior", [])),
            family=spec.get("family"),
            derived=bool(spec.get("derived", True)),
            note=" ".join(spec.get("note", "").split()),
        )
        _check(formula)
        out[fid] = formula
    return out


@cache
def templates() -> dict[str, dict]:
    """Formula templates (growth, CAGR) that apply to any metric id."""
    return _raw()["templates"]


@cache
def extra_inputs() -> dict[str, dict]:
    """Inputs the formulas need that the taxonomy does not have yet."""
    return _raw()["extra_inputs"]


@cache
def families() -> dict[str, dict]:
    return _raw()["families"]


def _check(formula: Formula) -> None:
    if formula.kind not in KINDS:
        raise ValueError(f"formula {formula.id}: kind {formula.kind!r} is not one of {KINDS}")
    current, prior = names_in(formula.expr)
    if sorted(current) != sorted(formula.inputs) or sorted(prior) != sorted(formula.prior):
        raise ValueError(
            f"formula {formula.id}: declared inputs {formula.inputs} / prior {formula.prior} "
            f"differ from the expression's {sorted(current)} / {sorted(prior)}"
        )


@cache
def _label_index() -> dict[str, str]:
    index = {}
    for f in formulas().values():
        for label in f.zh + f.en:
            index[label.casefold()] = f.id
    for spec in families().values():
        for label in spec["zh"] + spec["en"]:
            index[label.casefold()] = spec["default"]
    return index


def find_formula(label: str) -> Formula | None:
    """The formula a name refers to (毛利率, Gross margin, ROE → its default variant)."""
    fid = _label_index().get(label.strip().casefold())
    return formulas()[fid] if fid else None


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


# ---------------------------------------------------------------------------- computing


@dataclass
class _Job:
    """One formula applied to one set of numbers, in one language."""

    metric: str
    name: str
    expr: str
    kind: str
    places: int
    lang: str
    values: Mapping[str, Decimal | None]
    prior: Mapping[str, Decimal | None]
    labels: Mapping[str, str] = field(default_factory=dict)  # overrides (template variables)
    derived: bool = True

    @property
    def subject(self) -> str:
        """The metric's name inside a sentence (cannot compute gross margin: ...)."""
        return self.name if self.lang == "zh" else _lower_first(self.name)

    def label(self, metric_id: str) -> str:
        return self.labels.get(metric_id) or metric_label(metric_id, self.lang)

    def name_leaf(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Name):
            return self.label(node.id)
        if _is_call(node, "prior"):
            return _prior_label(self.label(node.args[0].id), self.lang)  # type: ignore[attr-defined]
        if _is_average(node):
            return _average_label(self.label(node.args[0].id), self.lang)  # type: ignore[attr-defined]
        return None

    def number_leaf(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Name):
            return _show(self.values[node.id], node.id)  # type: ignore[arg-type]
        if _is_call(node, "prior"):
            mid = node.args[0].id  # type: ignore[attr-defined]
            return _show(self.prior[mid], mid)  # type: ignore[arg-type]
        if _is_average(node):
            mid = node.args[0].id  # type: ignore[attr-defined]
            return _show(self.evaluate(node), mid)
        return None

    def evaluate(self, node: ast.AST) -> Decimal:
        env = _Env(self.values, self.prior, lambda n: render(n, self.name_leaf))  # type: ignore[arg-type]
        return _evaluate(node, env)


def compute(
    metric_id: str,
    values: Mapping[str, Decimal | None],
    prior: Mapping[str, Decimal | None] | None = None,
    lang: str = "zh",
    places: int | None = None,
) -> Computation:
    """Compute a derived metric (or a family such as ``roe``: its default variant) from
    base-unit inputs. Percent kinds come back in percent points, ROUND_HALF_UP to ``places``."""
    if metric_id in families():
        metric_id = families()[metric_id]["default"]
    if metric_id not in formulas():
        raise KeyError(f"unknown formula {metric_id!r}; known: {', '.join(sorted(formulas()))}")
    f = formulas()[metric_id]
    job = _Job(f.id, f.name(lang), f.expr, f.kind, f.places if places is None else places,
               _lang(lang), values, prior or {}, derived=f.derived)  # fmt: skip
    return _run(job)


def growth(
    metric_id: str,
    current: Decimal | None,
    prior: Decimal | None,
    places: int = 2,
    lang: str = "zh",
) -> Computation:
    """Year-on-year growth of any metric: (current - prior) / |prior|, in percent points."""
    if not metric_id.isidentifier():
        raise ValueError(f"not a metric id: {metric_id!r}")
    t = templates()["growth"]
    name = t["label"][_lang(lang)].format(metric=metric_label(metric_id, lang))
    job = _Job(f"growth({metric_id})", _upper_first(name), t["expr"].format(metric=metric_id),
               t["kind"], places, lang, {metric_id: current}, {metric_id: prior})  # fmt: skip
    return _run(job)


def cagr(
    first: Decimal | None,
    last: Decimal | None,
    years: int,
    places: int = 2,
    lang: str = "zh",
    metric_id: str | None = None,
) -> Computation:
    """Compound annual growth over ``years`` periods: (last / first) ^ (1 / years) - 1."""
    t = templates()["cagr"]
    lang = _lang(lang)
    if metric_id:
        name = _upper_first(t["label"][lang].format(metric=metric_label(metric_id, lang)))
    else:
        name = t[lang][0]
    labels = {var: spec[lang] for var, spec in t["vars"].items()}
    values = {"first": first, "last": last, "years": Decimal(years)}
    metric = f"cagr({metric_id})" if metric_id else "cagr"
    return _run(_Job(metric, name, t["expr"], t["kind"], places, lang, values, {}, labels))


def _lang(lang: str) -> str:
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
    return lang


def _run(job: _Job) -> Computation:
    tree = parse_expression(job.expr)
    percent = job.kind == "percent"
    formula = f"{job.name} = {_as_shown(tree, job.name_leaf, percent)}"
    out = Computation(job.metric, None, job.kind, job.places, formula, {}, [], [], job.derived)
    current, prior = names_in(job.expr)
    out.missing = [n for n in current if job.values.get(n) is None]
    out.missing += [f"prior({n})" for n in prior if job.prior.get(n) is None]
    if out.missing:
        out.message = f"cannot compute {job.subject}: missing {_missing_labels(job, out.missing)}"
        return out
    out.inputs = {n: _number(job.values[n]) for n in current}
    out.inputs |= {f"prior({n})": _number(job.prior[n]) for n in prior}
    try:
        raw = job.evaluate(tree.body)
    except NotComputable as err:
        out.message = f"cannot compute {job.subject}: {err}"
        return out
    out.value = round_half_up(raw * 100 if percent else raw, job.places)
    result = _show_result(out.value, job.kind, job.places, job.lang)
    main = f"{formula} = {_as_shown(tree, job.number_leaf, percent)} = {result}"
    out.steps = [*_average_steps(job, tree), main]
    return out


def _as_shown(tree: ast.Expression, leaf: Leaf, percent: bool) -> str:
    """The expression, and for a percent its "× 100%" (a sum is bracketed first)."""
    text = render(tree.body, leaf)
    if not percent:
        return text
    return f"({text}) × 100%" if _precedence(tree.body) < 2 else f"{text} × 100%"


def _missing_labels(job: _Job, missing: list[str]) -> str:
    labels = [
        _prior_label(job.label(m[6:-1]), job.lang) if m.startswith("prior(") else job.label(m)
        for m in missing
    ]
    return ", ".join(labels)


def _average_steps(job: _Job, tree: ast.Expression) -> list[str]:
    """One step per average balance, so the main line can show the average as one number."""
    steps: dict[str, str] = {}
    for node in ast.walk(tree):
        if _is_average(node):
            mid = node.args[0].id  # type: ignore[attr-defined]
            cur, pri = job.label(mid), _prior_label(job.label(mid), job.lang)
            numbers = f"({_show(job.values[mid], mid)} + {_show(job.prior[mid], mid)}) / 2"  # type: ignore[arg-type]
            steps[mid] = (
                f"{_average_label(cur, job.lang)} = ({cur} + {pri}) / 2 = {numbers}"
                f" = {job.number_leaf(node)}"
            )
    return list(steps.values())


def _show(value: Decimal, metric_id: str) -> str:
    """An input as printed in a step: money with at least 2 decimals, negatives in parens."""
    value = _number(value)
    own = min(max(-value.as_tuple().exponent, 0), _MAX_SHOWN_PLACES)  # type: ignore[operator]
    money = metric_id in extra_inputs() or (
        metric_id in metrics() and metrics()[metric_id].kind == "money"
    )
    text = format_number(value, max(own, 2) if money else own)
    return f"({text})" if value < 0 else text


_RESULT_UNIT = {
    "zh": {"percent": "%", "times": "次", "days": "天"},
    "en": {"percent": "%", "times": " times", "days": " days"},
}


def _show_result(value: Decimal, kind: str, places: int, lang: str) -> str:
    return format_number(value, places) + _RESULT_UNIT[lang].get(kind, "")
