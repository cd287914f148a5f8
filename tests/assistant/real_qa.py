"""The hand-checked question set over the real annual reports, read into dataclasses.

``tests/data/real_reports_qa.jsonl`` holds one question a line. Every gold figure was read by a
person off the text layer of the cited page (1-based physical page of the PDF, not the printed
page label). Conventions of the file, which the evaluation relies on:

* ``answer.value`` is in base units (yuan / dollars; percent points for ``%``; ``CNY/share`` and
  ``USD/share`` for earnings per share). ``answer.scale`` is the scale the answer is stated in:
  as printed, or as the question asks (``以万元为单位``, ``in USD millions``). ``answer.places``
  is the number of decimals in that scale the answer is compared at, so ``gold_in_scale`` is what
  a correct answer prints.
* A lookup has one operand, and its answer is that operand's value. A derived answer (``yoy``,
  ``ratio``, ``sum``, ``difference``) is ``formula`` evaluated in exact Decimal arithmetic over
  the operands' base-unit values, then rounded ROUND_HALF_UP at ``places``; percentages are kept
  at 2 places in ``value`` itself.
* In ``formula`` an operand is named ``<metric>_<fiscal_year>``, or just ``<metric>`` when no other
  operand of the question has that metric. Only ``+ - * /``, parentheses and integers are allowed.
* ``report`` is relative to the shared data folder (``../shared/data``); ``in_facts`` records
  whether ``domainsft facts`` found every operand with the right value on the right page when the
  set was built (see ``benchmarks/bench_real_qa_facts.py``).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from domainsft.numbers import from_base, round_half_up
from domainsft.utils.jsonl import InputError, read_jsonl

QA_FILE = Path(__file__).resolve().parents[1] / "data" / "real_reports_qa.jsonl"
KINDS = ("lookup", "yoy", "ratio", "sum", "difference")
_OPS = {ast.Add: Decimal.__add__, ast.Sub: Decimal.__sub__, ast.Mult: Decimal.__mul__}


@dataclass(frozen=True)
class Operand:
    metric: str  # a metric id of the domain pack where it has one (revenue, total_assets ...)
    label: str  # the row label as printed
    fiscal_year: int
    value: Decimal  # base units
    scale: str  # the scale the figure is printed in (元, 百万元, thousands, millions, 1)
    printed: str  # the printed cell, e.g. "1,175,301,034.32" or "(1,785,948)"
    page: int  # 1-based physical page


@dataclass(frozen=True)
class Answer:
    value: Decimal  # base units; percent points for %
    unit: str  # CNY, USD, %, CNY/share, USD/share
    scale: str  # the scale the answer is stated in
    places: int  # decimals in that scale the answer is compared at


@dataclass(frozen=True)
class RealQuestion:
    id: str
    lang: str
    report: str  # relative to the shared data folder
    company: str
    fiscal_year: int
    kind: str
    question: str
    answer: Answer
    operands: tuple[Operand, ...]
    pages: tuple[int, ...]
    formula: str = ""
    note: str = ""
    in_facts: bool | None = None

    @property
    def gold_in_scale(self) -> Decimal:
        """The answer as a correct reply prints it: in ``answer.scale`` at ``answer.places``."""
        return round_half_up(from_base(self.answer.value, self.answer.scale), self.answer.places)

    def variables(self) -> dict[str, Decimal]:
        """Operand values by the names ``formula`` may use (see the module docstring)."""
        names: dict[str, Decimal] = {}
        metrics = [op.metric for op in self.operands]
        for op in self.operands:
            names[f"{op.metric}_{op.fiscal_year}"] = op.value
            if metrics.count(op.metric) == 1:
                names[op.metric] = op.value
        return names

    def recompute(self) -> Decimal:
        """The exact (unrounded) value of ``formula`` over the operands; a lookup's operand."""
        if self.kind == "lookup":
            return self.operands[0].value
        return evaluate(self.formula, self.variables())


def evaluate(formula: str, names: dict[str, Decimal]) -> Decimal:
    """``formula`` in exact Decimal arithmetic; ValueError on anything but + - * / and names."""
    return _eval(ast.parse(formula, mode="eval").body, names)


def _eval(node: ast.AST, names: dict[str, Decimal]) -> Decimal:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        divisor = _eval(node.right, names)
        if divisor == 0:
            raise ValueError("division by zero")
        return _eval(node.left, names) / divisor
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        return _OPS[type(node.op)](_eval(node.left, names), _eval(node.right, names))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_eval(node.operand, names)
    if isinstance(node, ast.Name):
        if node.id not in names:
            raise ValueError(f"unknown operand {node.id!r}; known: {sorted(names)}")
        return names[node.id]
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return Decimal(node.value)
    raise ValueError(f"not allowed in a formula: {ast.unparse(node)!r}")


def load_real_qa(path: str | Path = QA_FILE) -> list[RealQuestion]:
    """Every question of the file; InputError naming the line for a malformed one."""
    return [_question(path, lineno, rec) for lineno, rec in read_jsonl(path)]


def _question(path: str | Path, lineno: int, rec: dict[str, Any]) -> RealQuestion:
    try:
        answer = rec["answer"]
        return RealQuestion(
            id=rec["id"],
            lang=rec["lang"],
            report=rec["report"],
            company=rec["company"],
            fiscal_year=int(rec["fiscal_year"]),
            kind=_kind(rec["kind"]),
            question=rec["question"],
            answer=Answer(
                Decimal(answer["value"]), answer["unit"], answer["scale"], int(answer["places"])
            ),
            operands=tuple(_operand(op) for op in rec["operands"]),
            pages=tuple(int(p) for p in rec["pages"]),
            formula=rec.get("formula", ""),
            note=rec.get("note", ""),
            in_facts=rec.get("in_facts"),
        )
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise InputError(
            f"{path}:{lineno}: bad question ({type(exc).__name__}: {exc}); each line needs id, "
            "lang, report, company, fiscal_year, kind, question, answer{value,unit,scale,places}, "
            "operands[{metric,label,fiscal_year,value,scale,printed,page}] and pages"
        ) from None


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"kind {kind!r} is not one of {KINDS}")
    return kind


def _operand(op: dict[str, Any]) -> Operand:
    return Operand(
        metric=op["metric"],
        label=op["label"],
        fiscal_year=int(op["fiscal_year"]),
        value=Decimal(op["value"]),
        scale=op["scale"],
        printed=op["printed"],
        page=int(op["page"]),
    )
