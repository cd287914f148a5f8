"""Statements, key figures and running text read from pages built in the test."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domainsft.facts.document import extract_document
from domainsft.records import Fact
from tests.facts.conftest import make_page

YUAN = "单位：元 币种：人民币"
PROSE = "报告期内，公司实现营业收入117,530.10万元，同比下降4.49%。"


def zh_report() -> list:
    header = ["主要会计数据", "2019年", "2018年", "本期比上年同期增减(%)", "2017年"]
    return [
        make_page(1, ["公司代码：603339 公司简称：四方科技", "四方科技集团股份有限公司"]),
        make_page(2, [
            "七、近三年主要会计数据和财务指标", "(一)主要会计数据", YUAN, header,
            ["营业收入", "1,175,301,034.32", "1,230,537,181.80", "-4.49", "1,008,714,515.86"],
            ["", "2019年末", "2018年末", "本期末比上年同期末增减（%）", "2017年末"],
        ]),
        make_page(3, [
            ["总资产", "2,464,948,703.85", "2,051,223,456.86", "20.17", "1,814,418,072.20"],
            "(二)主要财务指标",
            ["主要财务指标", "2019年", "2018年", "本期比上年同期增减(%)", "2017年"],
            ["基本每股收益（元／股）", "0.62", "0.88", "-29.55", "0.83"],
            ["加权平均净资产收益率（%）", "7.64", "11.71", "减少4.07个百分点", "11.81"],
            "九、2019年分季度主要财务数据", YUAN,
            ["", "第一季度（1-3月份）", "第二季度（4-6月份）", "第三季度（7-9月份）"],
            ["营业收入", "333,437,272.78", "292,129,683.29", "250,895,665.57"],
        ]),
        make_page(4, [
            "合并利润表", YUAN, ["项目", "2019年度", "2018年度"],
            ["一、营业总收入", "1,200.00", "1,100.00"],
            ["其中：营业收入", "1,175.30", "1,000.00"],
        ]),
        make_page(5, [
            ["五、净利润（净亏损以“－”号填列）", "(100.00)", "90.00"],
            "母公司利润表", YUAN, ["项目", "本期发生额", "上期发生额"],
            ["一、营业收入", "500.00", "400.00"],
        ]),
        make_page(6, ["第四节经营情况讨论与分析", PROSE], terms=True),
    ]  # fmt: skip


@pytest.fixture(scope="module")
def zh() -> list[Fact]:
    pages = zh_report()
    for p in pages:
        p.removed_lines = ["2019年年度报告"]
    return extract_document(pages).facts


def find(facts: list[Fact], metric: str, year: int, **kw) -> list[Fact]:
    return [
        f
        for f in facts
        if f.metric == metric
        and f.fiscal_year == year
        and all(getattr(f, k) == v for k, v in kw.items())
    ]


def test_identity(zh: list[Fact]) -> None:
    f = zh[0]
    assert (f.company, f.company_short, f.stock_code, f.report_year) == (
        "四方科技集团股份有限公司", "四方科技", "603339", 2019,
    )  # fmt: skip


def test_key_figures_with_change_column_skipped(zh: list[Fact]) -> None:
    (rev,) = find(zh, "revenue", 2019, page=2)
    assert Decimal(rev.value) == Decimal("1175301034.32")
    assert (rev.unit, rev.scale, rev.period, rev.period_end) == ("CNY", "元", "year", "2019-12-31")
    assert (rev.statement, rev.scope, rev.table, rev.row, rev.col) == (
        "key_figures", "consolidated", 0, 1, 1,
    )  # fmt: skip
    assert rev.label == "营业收入" and "1,175,301,034.32" in rev.evidence
    assert rev.confidence == 1.0 and rev.printed == "1,175,301,034.32"
    assert [f.fiscal_year for f in zh if f.metric == "revenue" and f.page == 2] == [
        2019,
        2018,
        2017,
    ]
    assert not [f for f in zh if f.value in ("-4.49", "20.17")]


def test_table_continued_over_the_page_break(zh: list[Fact]) -> None:
    assets = find(zh, "total_assets", 2019, page=3)
    assert [Decimal(f.value) for f in assets] == [Decimal("2464948703.85")]
    assert assets[0].period == "instant" and assets[0].unit == "CNY"
    assert assets[0].confidence < 1.0  # unit and header carried from the page before


def test_per_share_and_ratio_units(zh: list[Fact]) -> None:
    (eps,) = find(zh, "eps_basic", 2019)
    assert (eps.value, eps.unit, eps.scale) == ("0.62", "CNY/share", "1")
    (roe,) = find(zh, "roe_weighted", 2018)
    assert (roe.value, roe.unit) == ("11.71", "%")


def test_quarterly_columns_give_no_annual_facts(zh: list[Fact]) -> None:
    assert not [f for f in zh if f.value == "333437272.78"]


def test_statement_scope_and_continuation(zh: list[Fact]) -> None:
    (tor,) = find(zh, "total_operating_revenue", 2019)
    assert Decimal(tor.value) == 1200
    (rev,) = find(zh, "revenue", 2019, statement="income", scope="consolidated")
    assert Decimal(rev.value) == Decimal("1175.30")
    (np_,) = find(zh, "net_profit", 2019)
    assert (Decimal(np_.value), np_.page, np_.statement) == (Decimal(-100), 5, "income")
    parent = find(zh, "revenue", 2018, scope="parent")
    assert [(Decimal(f.value), f.period) for f in parent] == [(Decimal(400), "year")]


def test_running_text(zh: list[Fact]) -> None:
    (rev,) = find(zh, "revenue", 2019, page=6)
    assert (rev.value, rev.unit, rev.scale, rev.table) == ("1175301000", "CNY", "万元", None)
    assert rev.evidence == PROSE and rev.confidence < 1.0


def ten_k() -> list:
    return [
        make_page(1, ["FORM 10-K", "For the fiscal year ended May 31, 2019", "NIKE, Inc.",
                      "(Exact name of Registrant as specified in its charter)"], lang="en"),
        make_page(2, ["Consolidated Statements of Income 50", "Consolidated Balance Sheets 52",
                      "Consolidated Statements of Cash Flows 53",
                      ["Total revenues", "1", "2"]], lang="en"),
        make_page(3, [
            "CONSOLIDATED STATEMENTS OF INCOME", "YEAR ENDED MAY 31,",
            "(In millions, except per share data) 2019 2018 2017",
            "Net sales $ 38,000 $ 35,000 $ 33,000 Other revenues 1,117 1,397 1,350",
            "Total revenues 39,117 36,397 34,350",
            "Cost of sales 21,643 20,441 19,038",
            "NET INCOME $ 4,029 $ 1,933 $ 4,240",
        ], lang="en"),
        make_page(4, [
            "CONSOLIDATED BALANCE SHEETS", "(In millions)",
            ["", "May 31, 2019", "May 31, 2018"],
            ["Inventories", "5,622", "5,261"],
            ["Total current assets", "16,525", "15,134"],
        ], lang="en"),
        make_page(5, [
            "CONSOLIDATED STATEMENTS OF CASH FLOWS", "(Dollars in millions)",
            ["", "2019", "2018", "2017"],
            ["Inventories", "(490)", "(255)", "(225)"],
            ["Additions to property, plant and equipment", "(1,119)", "(1,028)", "(1,105)"],
        ], lang="en"),
        make_page(6, [
            "NOTE 1 — SUMMARY OF SIGNIFICANT ACCOUNTING POLICIES AND OTHER MATTERS THAT APPLY",
            "The consolidated financial statements include the accounts of NIKE, Inc. and its "
            "subsidiaries. All significant intercompany transactions have been eliminated.",
            ["Total revenues", "9", "8", "7"],
        ], lang="en"),
    ]  # fmt: skip


@pytest.fixture(scope="module")
def en() -> list[Fact]:
    return extract_document(ten_k()).facts


def test_10k_fiscal_year_and_period_end(en: list[Fact]) -> None:
    (rev,) = find(en, "revenue", 2019, page=3)
    assert (rev.company, rev.report_year, rev.period_end) == ("NIKE, Inc.", 2019, "2019-05-31")


def test_total_line_wins_over_its_sub_line(en: list[Fact]) -> None:
    revenues = find(en, "revenue", 2019, statement="income")
    assert [(f.value, f.label, f.unit, f.scale) for f in revenues] == [
        ("39117000000", "Total revenues", "USD", "millions")
    ]


def test_10k_statement_rows_printed_as_text(en: list[Fact]) -> None:
    assert [f.value for f in find(en, "cost_of_revenue", 2019)] == ["21643000000"]
    assert [f.value for f in find(en, "net_profit", 2017)] == ["4240000000"]


def test_balance_sheet_dates_and_cash_flow_movements(en: list[Fact]) -> None:
    inv = find(en, "inventories", 2019)
    assert [(f.value, f.statement, f.period_end) for f in inv] == [
        ("5622000000", "balance", "2019-05-31")
    ]
    assert [f.value for f in find(en, "capex", 2019)] == ["-1119000000"]


def test_contents_page_and_notes_are_not_statements(en: list[Fact]) -> None:
    assert not [f for f in en if f.page in (2, 6)]
