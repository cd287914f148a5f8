"""Worked steps: one formula on one set of numbers, shown line by line."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from domainsft.domains.finance import metrics
from domainsft.domains.finance.formulas.expr import _Env, _evaluate, _is_average, _is_call, _number
from domainsft.domains.finance.formulas.library import extra_inputs
from domainsft.domains.finance.formulas.render import (
    Leaf,
    _average_label,
    _lower_first,
    _precedence,
    _prior_label,
    metric_label,
    render,
)
from domainsft.numbers import format_number

_MAX_SHOWN_PLACES = 10  # an input with more decimals is shown rounded in the steps


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
            return show_input(self.values[node.id], node.id)  # type: ignore[arg-type]
        if _is_call(node, "prior"):
            mid = node.args[0].id  # type: ignore[attr-defined]
            return show_input(self.prior[mid], mid)  # type: ignore[arg-type]
        if _is_average(node):
            mid = node.args[0].id  # type: ignore[attr-defined]
            return show_input(self.evaluate(node), mid)
        return None

    def evaluate(self, node: ast.AST) -> Decimal:
        env = _Env(self.values, self.prior, lambda n: render(n, self.name_leaf))  # type: ignore[arg-type]
        return _evaluate(node, env)


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
            now, before = job.values[mid], job.prior[mid]
            numbers = f"({show_input(now, mid)} + {show_input(before, mid)}) / 2"  # type: ignore[arg-type]
            steps[mid] = (
                f"{_average_label(cur, job.lang)} = ({cur} + {pri}) / 2 = {numbers}"
                f" = {job.number_leaf(node)}"
            )
    return list(steps.values())


def show_input(value: Decimal, metric_id: str, bracket: bool = True) -> str:
    """An input as printed in a step: money with at least 2 decimals, negatives in parens
    (``bracket``: a step's expression needs them, ``-1,459,600,000.00`` alone does not)."""
    value = _number(value)
    own = min(max(-value.as_tuple().exponent, 0), _MAX_SHOWN_PLACES)  # type: ignore[operator]
    money = metric_id in extra_inputs() or (
        metric_id in metrics() and metrics()[metric_id].kind == "money"
    )
    text = format_number(value, max(own, 2) if money else own)
    return f"({text})" if value < 0 and bracket else text


_RESULT_UNIT = {
    "zh": {"percent": "%", "times": "次", "days": "天"},
    "en": {"percent": "%", "times": " times", "days": " days"},
}


def _show_result(value: Decimal, kind: str, places: int, lang: str) -> str:
    return format_number(value, places) + _RESULT_UNIT[lang].get(kind, "")
