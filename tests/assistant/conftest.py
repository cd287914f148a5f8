"""Tiny directories built from ``Fact`` records in the test, and the dataset tests' sample corpus
and dataset (2 companies x 2 languages x 2021-2023), reused as they are."""

from __future__ import annotations

import pytest

from domainsft.assistant.directory import Directory
from domainsft.records import Fact
from tests.dataset.conftest import built, corpus  # noqa: F401  (session fixtures, reused)


def fact(
    company: str,
    year: int,
    metric: str = "revenue",
    fiscal_year: int | None = None,
    short: str = "",
    code: str = "",
    lang: str = "zh",
    doc: str = "",
) -> Fact:
    """One fact of a report; the report is ``doc`` (default: one per company and year)."""
    doc_id = doc or f"{company}-{year}"
    fy = year if fiscal_year is None else fiscal_year
    unit = "text" if metric in ("stock_code", "auditor") else "CNY"
    return Fact(
        fact_id=f"{doc_id}:{metric}:{fy}", doc_id=doc_id, source=f"{doc_id}.pdf",
        company=company, company_short=short, stock_code=code, report_year=year,
        fiscal_year=fy, period="year", period_end="", metric=metric, label=metric,
        value="1" if unit != "text" else "x", unit=unit, scale="元", printed="1",
        statement="income", scope="consolidated", page=3, table=0, row=0, col=1,
        evidence=metric, confidence=1.0, lang=lang,
    )  # fmt: skip


def report(company: str, year: int, metrics=("revenue", "cost_of_revenue"), **kw) -> list[Fact]:
    """A report with its own year's and the prior year's figures of ``metrics``."""
    return [fact(company, year, m, fy, **kw) for m in metrics for fy in (year - 1, year)]


@pytest.fixture(scope="module")
def directory() -> Directory:
    """Two Chinese companies (one a bank) and three English ones, two of which share the short
    form "Marlow Bay Analytics"."""
    facts = []
    sifang = ("revenue", "cost_of_revenue", "net_profit_attributable", "net_profit",
              "rd_expenses", "staff_phd", "stock_code")  # fmt: skip
    for year in (2018, 2019):
        facts += report("四方科技集团股份有限公司", year, short="四方科技", code="603339",
                        metrics=sifang)  # fmt: skip
    facts += report("平安银行股份有限公司", 2024, short="平安银行", code="000001",
                    metrics=("revenue", "net_profit", "npl_ratio"))  # fmt: skip
    for year in (2017, 2018):
        facts += report("3M COMPANY", year, lang="en", metrics=("revenue", "cost_of_revenue"))
    facts += report("AMAZON.COM, INC.", 2019, lang="en")
    facts += report("Marlow Bay Analytics Group plc", 2023, lang="en", code="MAW")
    facts += report("Marlow Bay Analytics Holdings, Inc.", 2023, lang="en", code="MATX")
    return Directory.from_facts(facts)
