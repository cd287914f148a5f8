"""The figures add up, as printed and across years."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from domainsft.config import SamplesConfig
from domainsft.samples import build_reports, check_statement

Values = dict[tuple[str, str, int], list[Decimal]]  # (doc, metric, fiscal year) -> values


def _values(facts: list[dict[str, Any]], sections: set[str] | None = None) -> Values:
    out: Values = defaultdict(list)
    for f in facts:
        if f["unit"] != "text" and (sections is None or f["section"] in sections):
            out[(f["doc"], f["metric"], f["fiscal_year"])].append(Decimal(f["value"]))
    return out


def _one(values: Values, doc: str, metric: str, fy: int) -> Decimal:
    found = set(values[(doc, metric, fy)])
    assert len(found) == 1, (doc, metric, fy, found)  # every printing of a fact agrees
    return found.pop()


def test_every_statement_line_adds_up() -> None:
    cfg = SamplesConfig(companies=2, years="2020-2023", scanned_pages=0, seed=11)
    reports = build_reports(cfg)
    assert {r.company.unit.scale for r in reports} >= {"thousands", "millions"}
    for report in reports:
        assert set(report.statements) >= {"income", "balance", "cash_flow"}
        for name, lines in report.statements.items():
            assert check_statement(lines) == [], (report.doc, name)


def test_identities_hold_on_truth_values(corpus: dict[str, Any]) -> None:
    values = _values(corpus["facts"])
    docs = {(f["doc"], f["fiscal_year"]) for f in corpus["facts"]}
    for doc, fy in docs:

        def v(metric: str, doc: str = doc, fy: int = fy) -> Decimal:
            return _one(values, doc, metric, fy)

        assert v("total_assets") == v("total_current_assets") + v("total_non_current_assets")
        assert v("total_liabilities_and_equity") == v("total_liabilities") + v("total_equity")
        assert v("total_liabilities_and_equity") == v("total_assets")
        assert v("net_profit") == v("total_profit") - v("income_tax")


def test_prior_year_column_equals_previous_report(corpus: dict[str, Any]) -> None:
    facts = [f for f in corpus["facts"] if f["unit"] != "text"]
    current = {
        (f["company_id"], f["metric"], f["section"], f["fiscal_year"]): f
        for f in facts
        if str(f["fiscal_year"]) in f["doc"]
    }
    checked = 0
    for f in facts:
        if str(f["fiscal_year"]) in f["doc"]:
            continue  # a current-year figure
        earlier = current.get((f["company_id"], f["metric"], f["section"], f["fiscal_year"]))
        if earlier is None:
            continue  # the first report's prior year has no report of its own
        assert (f["value"], f["printed"]) == (earlier["value"], earlier["printed"]), f["fact_id"]
        checked += 1
    assert checked > 50


def test_key_figures_equal_statements(corpus: dict[str, Any]) -> None:
    key = _values(corpus["facts"], {"key_figures"})
    statements = _values(corpus["facts"], {"income", "balance", "cash_flow"})
    shared = [k for k in key if k in statements]
    assert len(shared) >= 10
    for k in shared:
        assert set(key[k]) == set(statements[k]), k


def test_printed_matches_value(corpus: dict[str, Any]) -> None:
    """Parsing the printed string and applying the scale gives the truth value exactly."""
    factor = {
        "元": 1,
        "万元": 10_000,
        "百万元": 1_000_000,
        "thousands": 1_000,
        "millions": 1_000_000,
        "1": 1,
    }
    for f in corpus["facts"]:
        if f["unit"] == "text":
            assert f["printed"] == f["value"]
            continue
        text = f["printed"].replace(",", "").rstrip("%")
        negative = text.startswith("(") or text.startswith("-")
        number = Decimal(text.strip("()-")) * (-1 if negative else 1)
        assert number * factor[f["scale"]] == Decimal(f["value"]), f["fact_id"]
