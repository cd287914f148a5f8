"""The key-figure tables of three real Chinese annual reports, every row, exactly.

Expected figures were read off the PDF text layer (pypdfium2) of the pages named here; the
reports are read in place from ../shared/data/reports/zh, never copied.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from domainsft.config import FactsConfig, IngestConfig
from domainsft.facts.pipeline import extract
from domainsft.ingest.pipeline import ingest
from domainsft.numbers import scale_factor
from tests.conftest import shared_or_skip

pytestmark = pytest.mark.slow

SIFANG = "cn_603339_sifang_2019_annual_report.pdf"
JINYU = "cn_600201_jinyu_2020_annual_report.pdf"
PINGAN = "cn_000001_pingan_bank_2024_annual_report.pdf"

# (page, metric, unit, printed scale, values by fiscal year as printed)
Row = tuple[int, str, str, str, dict[int, str]]
Y3 = (2019, 2018, 2017)


def _rows(page: int, unit: str, scale: str, years, table: list[tuple[str, tuple]]) -> list[Row]:
    return [(page, m, unit, scale, dict(zip(years, v, strict=True))) for m, v in table if v]


SIFANG_ROWS = _rows(5, "CNY", "元", Y3, [
    ("revenue", ("1,175,301,034.32", "1,230,537,181.80", "1,008,714,515.86")),
    ("net_profit_attributable", ("129,465,020.68", "182,223,387.13", "172,184,765.20")),
    ("net_profit_deducted", ("129,188,735.59", "180,083,978.40", "161,529,549.99")),
    ("operating_cash_flow", ("369,100,908.49", "22,934,667.53", "234,116,848.19")),
    ("equity_attributable", ("1,745,401,890.46", "1,645,226,020.07", "1,467,847,515.41")),
    ("total_assets", ("2,464,948,703.85", "2,051,223,456.86", "1,814,418,072.20")),
]) + _rows(6, "CNY/share", "1", Y3, [
    ("eps_basic", ("0.62", "0.88", "0.83")),
    ("eps_diluted", ("0.61", "0.86", "0.82")),
    ("eps_basic_deducted", ("0.62", "0.87", "0.78")),
]) + _rows(6, "%", "1", Y3, [
    ("roe_weighted", ("7.64", "11.71", "11.81")),
    ("roe_weighted_deducted", ("7.62", "11.57", "11.08")),
])  # fmt: skip

Y3J = (2020, 2019, 2018)
JINYU_ROWS = _rows(5, "CNY", "元", Y3J, [
    ("revenue", ("1,581,905,632.48", "1,126,782,253.35", "1,896,608,630.19")),
    ("net_profit_attributable", ("406,195,463.57", "221,041,634.94", "754,465,552.70")),
    ("net_profit_deducted", ("392,188,209.82", "215,115,789.00", "732,655,536.82")),
    ("operating_cash_flow", ("699,612,782.08", "405,242,914.07", "422,460,842.44")),
]) + _rows(6, "CNY", "元", Y3J, [  # the table continues on page 6 under page 5's header
    ("equity_attributable", ("4,981,663,905.19", "4,647,275,880.19", "5,031,440,737.47")),
    ("total_assets", ("6,278,282,683.24", "5,585,879,172.02", "6,313,213,299.08")),
]) + _rows(6, "CNY/share", "1", Y3J, [
    ("eps_basic", ("0.36", "0.20", "0.67")),
    ("eps_basic_deducted", ("0.35", "0.19", "0.65")),
]) + [
    (6, "eps_diluted", "CNY/share", "1", {2018: "0.66"}),  # 2020 and 2019 are printed blank
] + _rows(6, "%", "1", Y3J, [
    ("roe_weighted", ("8.37", "4.49", "15.56")),
    ("roe_weighted_deducted", ("8.09", "4.38", "15.11")),
])  # fmt: skip

Y2, Y3P = (2024, 2023), (2024, 2023, 2022)
PINGAN_ROWS = _rows(16, "CNY", "百万元", Y2, [  # 2.1 关键指标
    ("net_profit_attributable", ("44,508", "46,455")),
    ("deposits", ("3,533,678", "3,407,295")),
    ("loans", ("3,374,103", "3,407,509")),
]) + _rows(16, "%", "1", Y2, [
    ("cost_income_ratio", ("27.66", "27.90")),
    ("roa_average", ("0.78", "0.85")),
    ("roe_weighted", ("10.08", "11.38")),
    ("net_interest_margin", ("1.87", "2.38")),
    ("non_interest_income_share", ("36.31", "28.36")),
    ("npl_ratio", ("1.06", "1.06")),
    ("provision_coverage_ratio", ("250.71", "277.63")),
    ("core_tier1_ratio", ("9.12", "9.22")),
]) + _rows(16, "times", "1", Y2, [("overdue_loan_deviation", ("0.80", "0.74"))]) + _rows(
    16, "CNY", "百万元", Y3P, [  # 2.2 主要会计数据和财务指标
    ("total_assets", ("5,769,270", "5,587,116", "5,321,514")),
    ("total_equity", ("494,842", "472,328", "434,680")),
    ("equity_attributable_ordinary", ("424,894", "402,384", "364,736")),
    ("share_capital", ("19,406", "19,406", "19,406")),
    ("revenue", ("146,695", "164,699", "179,895")),  # 2024 and 2023 also in 2.1
    ("operating_profit_before_impairment", ("104,634", "117,022", "128,781")),
    ("credit_impairment_losses", ("49,428", "59,094", "71,306")),
    ("operating_profit", ("55,206", "57,928", "57,475")),
    ("total_profit", ("54,738", "57,718", "57,253")),
]) + _rows(16, "CNY/share", "1", Y3P, [("bvps", ("21.89", "20.74", "18.80"))]) + _rows(
    17, "CNY", "百万元", Y3P, [  # continued on page 17 under page 16's header
    ("net_profit_attributable", ("44,508", "46,455", "45,516")),
    ("net_profit_deducted", ("44,838", "46,431", "45,407")),
    ("operating_cash_flow", ("63,336", "92,461", "134,572")),
]) + _rows(17, "CNY/share", "1", Y3P, [
    ("eps_basic", ("2.15", "2.25", "2.20")),  # 基本/稀释每股收益: one row, two metrics
    ("eps_diluted", ("2.15", "2.25", "2.20")),
    ("eps_basic_deducted", ("2.16", "2.25", "2.19")),
    ("eps_diluted_deducted", ("2.16", "2.25", "2.19")),
    ("ocf_per_share", ("3.26", "4.76", "6.93")),
]) + _rows(17, "%", "1", Y3P, [
    ("roa", ("0.77", "0.83", "0.86")),
    ("roa_average", ("0.78", "0.85", "0.89")),
    ("roe_weighted", ("10.08", "11.38", "12.36")),
    ("roe_weighted_deducted", ("10.16", "11.38", "12.33")),
])  # fmt: skip

TABLES = {SIFANG: (2019, SIFANG_ROWS), JINYU: (2020, JINYU_ROWS), PINGAN: (2024, PINGAN_ROWS)}


@pytest.fixture(scope="module")
def facts(tmp_path_factory):
    folder = shared_or_skip("reports", "zh")
    tmp = tmp_path_factory.mktemp("zh_facts")
    assert ingest([folder], IngestConfig(out=tmp, workers=2)).rejects == []
    result = extract(tmp, FactsConfig(out=tmp / "facts.jsonl"))
    return [f for f in result.facts if f.statement == "key_figures"]


def _base(printed: str, scale: str) -> Decimal:
    return Decimal(printed.replace(",", "")) * scale_factor(scale)


@pytest.mark.parametrize("doc", [SIFANG, JINYU, PINGAN])
def test_key_figure_tables_exactly(facts, doc: str) -> None:
    report_year, rows = TABLES[doc]
    mine = [f for f in facts if Path(f.source).name == doc and f.page in {r[0] for r in rows}]
    expected = set()
    for page, metric, unit, scale, values in rows:
        for year, printed in values.items():
            expected.add((page, metric, year, _base(printed, scale), unit, scale))
    got = {(f.page, f.metric, f.fiscal_year, Decimal(f.value), f.unit, f.scale) for f in mine}
    assert expected - got == set(), "missing"
    assert got - expected == set(), "not in the key-figure tables"
    assert all(f.report_year == report_year and f.scope == "consolidated" for f in mine)


def test_sifang_revenue_as_the_issue_states(facts) -> None:
    (rev,) = [f for f in facts if Path(f.source).name == SIFANG and f.metric == "revenue"
              and f.fiscal_year == 2019]  # fmt: skip
    assert (rev.value, rev.unit, rev.page, rev.period, rev.period_end) == (
        "1175301034.32", "CNY", 5, "year", "2019-12-31",
    )  # fmt: skip
    assert (rev.company, rev.company_short, rev.stock_code) == (
        "四方科技集团股份有限公司", "四方科技", "603339",
    )  # fmt: skip


def test_balances_are_at_the_year_end(facts) -> None:
    for f in facts:
        if f.metric in ("total_assets", "equity_attributable", "deposits", "npl_ratio"):
            assert f.period == "instant" and f.period_end == f"{f.fiscal_year}-12-31"
