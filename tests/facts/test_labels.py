"""Row labels to metric ids: normalisation, exact labels first, company-specific patterns."""

from __future__ import annotations

import pytest

from domainsft.facts.labels import group_row, is_note_total, lookup, normalise_label, note_metric


@pytest.mark.parametrize(
    ("printed", "key"),
    [
        ("一、营业总收入", "营业总收入"),
        ("（一）基本每股收益（元／股）", "基本每股收益"),
        ("其中：营业收入", "营业收入"),
        ("加：营业外收入", "营业外收入"),
        ("减：所得税费用", "所得税费用"),
        ("1.归属于母公司股东的净利润", "归属于母公司股东的净利润"),
        ("加权平均净资产收益率（%）", "加权平均净资产收益率"),
        ("五、净利润（净亏损以“－”号填列）", "净利润"),
        ("所有者权益（或股东权益）合计", "所有者权益合计"),
        ("Less: Net income attributable to noncontrolling interest", "netincomeattributableto"
         "noncontrollinginterest"),
        ("Total revenue........................", "totalrevenue"),
        ("Purchases of property, plant and equipment (PP&E)",
         "purchasesofproperty,plantandequipment"),
        ("Total revenues (1)", "totalrevenues"),
        ("  营业  收入 ", "营业收入"),
    ],
)  # fmt: skip
def test_normalise_label(printed: str, key: str) -> None:
    assert normalise_label(printed) == key


@pytest.mark.parametrize(
    ("label", "metric"),
    [
        ("营业收入", "revenue"),
        ("一、营业总收入", "total_operating_revenue"),  # never revenue
        ("归母净利润", "net_profit_attributable"),  # never net_profit
        ("归属于本行股东的净利润", "net_profit_attributable"),
        ("五、净利润（净亏损以“－”号填列）", "net_profit"),
        ("总资产", "total_assets"),
        ("Net income attributable to 3M", "net_profit_attributable"),
        ("Net earnings attributable to General Mills", "net_profit_attributable"),
        ("Net income/(loss) attributable to common shareholders", "net_profit_attributable"),
        ("Net income including noncontrolling interest", "net_profit"),
        ("Consolidated net income", "net_profit"),
        ("Total net sales", "revenue"),
        ("NET OPERATING REVENUES", "revenue"),
        ("Merchandise costs", "cost_of_revenue"),
        ("Cost of products sold", "cost_of_revenue"),
        ("Payments for property and equipment", "capex"),
        ("Additions to property, plant and equipment", "capex"),
        ("Purchases of land, buildings, and equipment", "capex"),
        ("Merchandise inventories", "inventories"),
        ("Total inventories", "inventories"),
        ("营业收入合计", "revenue"),
        ("Interest expense, net", "financial_expenses"),
        ("Net cash provided by (used in) operating activities", "operating_cash_flow"),
        ("Net cash (used in) provided by operating activities", "operating_cash_flow"),
        ("Net cash from operations", "operating_cash_flow"),
        ("Diluted net income per share ..........", "eps_diluted"),
        ("Earnings per share attributable to 3M common shareholders — diluted", "eps_diluted"),
        ("Earnings per share attributable to 3M common shareholders - basic", "eps_basic"),
        ("Research, development and related expenses", "rd_expenses"),
    ],
)
def test_lookup(label: str, metric: str) -> None:
    found = lookup(label, "income")
    assert found is not None and found.metrics == (metric,)


def test_noncontrolling_interest_is_not_the_companys_net_income() -> None:
    assert lookup("Less: Net income attributable to noncontrolling interest") is None
    assert lookup("Net earnings attributable to redeemable and noncontrolling interests") is None


def test_combined_label_names_two_metrics() -> None:
    found = lookup("基本/稀释每股收益")
    assert found is not None and found.metrics == ("eps_basic", "eps_diluted")


def test_how_and_preference() -> None:
    exact, total = lookup("Net sales"), lookup("Total revenues")
    assert exact and exact.how == "exact" and not exact.preferred and exact.confidence == 1.0
    assert total and total.preferred
    fallback = lookup("营业收入合计")
    assert fallback and fallback.how == "fallback" and fallback.confidence < 1.0
    assert lookup("Goodwill") is None and lookup("") is None


def test_capex_by_bare_label_only_in_a_cash_flow_statement() -> None:
    assert lookup("Property and equipment", "cash_flow").metrics == ("capex",)
    assert lookup("Property and equipment", "balance") is None


def test_note_headings_and_totals() -> None:
    assert note_metric("1.应收账款（按账龄披露）") == (True, "accounts_receivable")
    assert note_metric("2.存货分类 单位：万元 币种：人民币") == (True, "inventories")
    assert note_metric("Note 4. Inventories (in thousands of US dollars)") == (True, "inventories")
    assert note_metric("5.主营业务分地区情况") == (True, None)
    assert note_metric("单位：万元") == (False, None)
    assert is_note_total("账面价值合计") and is_note_total("合计") and is_note_total("Total")
    assert not is_note_total("营业收入合计")


@pytest.mark.parametrize(
    ("label", "group", "metric"),
    [
        ("Diluted", "Earnings per share:", "eps_diluted"),
        ("Basic", "Earnings per common share:", "eps_basic"),
        ("Diluted", "NET INCOME PER COMMON SHARE ATTRIBUTABLE TO COSTCO:", "eps_diluted"),
        ("Diluted", "Weighted average common shares outstanding:", None),  # share counts
        ("Diluted", "Weighted-average shares used in computation of earnings per share:", None),
        ("Diluted", None, None),
        ("Revenue", "Earnings per share:", None),
    ],
)
def test_a_bare_basic_or_diluted_row_takes_its_metric_from_the_line_above(label, group, metric):
    found = group_row(label, group)
    assert (found.metrics if found else None) == ((metric,) if metric else None)
    assert lookup("Weighted average 3M common shares outstanding — diluted", "income") is None
