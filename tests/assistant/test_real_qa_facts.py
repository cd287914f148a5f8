"""benchmarks/real_qa_facts.py names each miss of facts.jsonl against the question set right."""

from __future__ import annotations

import importlib.util
from dataclasses import replace
from decimal import Decimal

import pytest

from domainsft.records import Fact
from tests.assistant.real_qa import Operand
from tests.conftest import ROOT

_spec = importlib.util.spec_from_file_location(
    "real_qa_facts", ROOT / "benchmarks/real_qa_facts.py"
)
coverage = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(coverage)

OP = Operand("revenue", "营业收入", 2019, Decimal("1175301034.32"), "元", "1,175,301,034.32", 5)
FACT = Fact(
    fact_id="d:p5:c0.1.1", doc_id="d", source="r.pdf", company="c", company_short="",
    stock_code="", report_year=2019, fiscal_year=2019, period="year", period_end="",
    metric="revenue", label="营业收入", value="1175301034.32", unit="CNY", scale="元",
    printed="1,175,301,034.32", statement="key_figures", scope="", page=5, table=0, row=1,
    col=1, evidence="", confidence=1.0,
)  # fmt: skip


@pytest.mark.parametrize(
    ("facts", "rejected", "reason"),
    [
        ([FACT], set(), ""),
        ([replace(FACT, fiscal_year=2018)], set(), "wrong year/column"),
        ([replace(FACT, value="117530.10", scale="1")], set(), "wrong value"),
        ([replace(FACT, value="117530103432")], set(), "wrong scale"),
        ([replace(FACT, page=63)], set(), "only on another page"),
        ([replace(FACT, metric="total_operating_revenue")], set(), "taken as another metric"),
        ([], {(5, "营业收入")}, "label rejected"),
        ([], set(), "missing"),
    ],
)
def test_miss_reason(facts: list[Fact], rejected: set, reason: str) -> None:
    assert coverage.miss_reason(OP, facts, rejected) == reason


def test_metric_outside_the_taxonomy_is_named() -> None:
    op = replace(OP, metric="gross_profit")
    assert coverage.miss_reason(op, [], set()) == "metric not in taxonomy"


def test_rejected_labels_fold_dot_leaders(tmp_path) -> None:
    rej = '{"source": "/x/A.pdf", "reason": "r", "detail": "p60 [income] Diluted net income ....."}'
    (tmp_path / "facts_rejects.jsonl").write_text(rej + "\n", encoding="utf-8")
    assert coverage.rejected_labels(tmp_path)["A.pdf"] == {(60, "dilutednetincome")}
