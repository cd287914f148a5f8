"""The formula library: every derived metric on hand-checked numbers, messages, safety."""

from __future__ import annotations

import ast
from decimal import Decimal

import pytest

from domainsft.domains.finance import metrics
from domainsft.domains.finance.formulas import (
    KINDS,
    NotComputable,
    UnsafeExpression,
    cagr,
    compute,
    evaluate,
    extra_inputs,
    families,
    find_formula,
    formulas,
    growth,
    names_in,
    parse_expression,
    templates,
)

D = Decimal

# 四方科技 2019 营业收入 as printed; the other figures are made up, in yuan.
CURRENT = {
    "revenue": D("1175301034.32"),
    "cost_of_revenue": D("843120000.00"),
    "selling_expenses": D("52340000.00"),
    "admin_expenses": D("61250000.00"),
    "rd_expenses": D("40150000.00"),
    "financial_expenses": D("-3120000.00"),
    "operating_profit": D("185600000.00"),
    "total_profit": D("186000000.00"),
    "net_profit": D("160200000.00"),
    "net_profit_attributable": D("158900000.00"),
    "total_assets": D("2100000000.00"),
    "total_liabilities": D("700000000.00"),
    "total_equity": D("1400000000.00"),
    "equity_attributable": D("1380000000.00"),
    "total_current_assets": D("1500000000.00"),
    "total_current_liabilities": D("600000000.00"),
    "inventories": D("300000000.00"),
    "cash": D("450000000.00"),
    "accounts_receivable": D("220000000.00"),
    "accounts_payable": D("150000000.00"),
    "fixed_assets": D("400000000.00"),
    "capex": D("80000000.00"),
    "operating_cash_flow": D("210000000.00"),
    "depreciation_amortization": D("35000000.00"),
    "interest_expense": D("1500000.00"),
}
PRIOR = {
    "total_assets": D("1900000000.00"),
    "equity_attributable": D("1250000000.00"),
    "inventories": D("260000000.00"),
    "accounts_receivable": D("180000000.00"),
    "accounts_payable": D("130000000.00"),
    "fixed_assets": D("360000000.00"),
}

# Checked by hand: e.g. gross margin = 332,181,034.32 / 1,175,301,034.32 = 0.282635...
EXPECTED = {
    "gross_profit": "332181034.32",  # 1,175,301,034.32 - 843,120,000.00
    "gross_margin": "28.26",
    "cost_ratio": "71.74",  # 843.12 / 1175.301
    "operating_margin": "15.79",  # 185.6 / 1175.301 = 0.15792
    "net_margin": "13.63",  # 160.2 / 1175.301 = 0.13630
    "selling_expense_ratio": "4.45",  # 52.34 / 1175.301 = 0.044533
    "admin_expense_ratio": "5.21",  # 61.25 / 1175.301 = 0.052114
    "financial_expense_ratio": "-0.27",  # -3.12 / 1175.301 = -0.0026546
    "rd_expense_ratio": "3.42",  # 40.15 / 1175.301 = 0.034161
    "period_expense_ratio": "9.40",  # (52.34 + 61.25 - 3.12) / 1175.301 = 0.093993
    "rd_investment_ratio": "3.42",
    "debt_to_assets": "33.33",  # 700 / 2100
    "current_ratio": "2.50",  # 1500 / 600
    "quick_ratio": "2.00",  # (1500 - 300) / 600
    "cash_ratio": "0.75",  # 450 / 600
    "working_capital": "900000000.00",
    "roe_simple": "11.51",  # 158.9 / 1380 = 0.115145
    "roe_average": "12.08",  # 158.9 / ((1380 + 1250) / 2 = 1315) = 0.120837
    "roa_simple": "7.63",  # 160.2 / 2100 = 0.076286
    "roa_average": "8.01",  # 160.2 / 2000
    "equity_multiplier": "1.50",  # 2100 / 1400
    "debt_to_equity": "0.50",  # 700 / 1400
    "inventory_turnover": "3.01",  # 843.12 / 280 = 3.0111
    "inventory_days": "121.22",  # 280 / 843.12 x 365 = 121.216
    "receivables_turnover": "5.88",  # 1175.301 / 200 = 5.8765
    "receivable_days": "62.11",  # 200 / 1175.301 x 365 = 62.111
    "payable_days": "60.61",  # 140 / 843.12 x 365 = 60.608
    "fixed_asset_turnover": "3.09",  # 1175.301 / 380 = 3.0929
    "total_asset_turnover": "0.59",  # 1175.301 / 2000 = 0.58765
    "cash_to_profit": "1.31",  # 210 / 160.2 = 1.3109
    "free_cash_flow": "130000000.00",  # 210 - 80
    "ebitda": "217480000.00",  # 185.6 - 3.12 + 35
    "ebitda_total_profit": "222500000.00",  # 186 + 1.5 + 35
}


def test_every_formula_has_a_hand_checked_case() -> None:
    assert set(EXPECTED) == set(formulas())


@pytest.mark.parametrize("metric_id", sorted(EXPECTED))
def test_formula_value(metric_id: str) -> None:
    for lang in ("zh", "en"):
        c = compute(metric_id, CURRENT, PRIOR, lang=lang)
        assert c.value == D(EXPECTED[metric_id]), c.message
        assert str(c.value) == EXPECTED[metric_id]  # rounded to the formula's 2 places
        assert (c.metric, c.kind, c.places, c.derived) == (metric_id, formulas()[metric_id].kind,
                                                           2, True)  # fmt: skip
        assert c.missing == [] and c.message == ""
        assert c.steps and c.steps[-1].startswith(c.formula)


def test_gross_margin_steps_zh_and_en() -> None:
    zh = compute("gross_margin", CURRENT)
    assert zh.formula == "毛利率 = (营业收入 - 营业成本) / 营业收入 × 100%"
    assert zh.steps == [
        "毛利率 = (营业收入 - 营业成本) / 营业收入 × 100%"
        " = (1,175,301,034.32 - 843,120,000.00) / 1,175,301,034.32 × 100% = 28.26%"
    ]
    assert zh.inputs == {"revenue": CURRENT["revenue"], "cost_of_revenue": D("843120000.00")}
    en = compute("gross_margin", CURRENT, lang="en")
    assert en.formula == "Gross margin = (revenue - cost of revenue) / revenue × 100%"
    assert en.steps[-1].endswith("= 28.26%")


def test_average_balance_gets_its_own_step() -> None:
    c = compute("inventory_turnover", CURRENT, PRIOR)
    assert c.steps == [
        "平均存货 = (存货 + 上年存货) / 2 = (300,000,000.00 + 260,000,000.00) / 2 = 280,000,000.00",
        "存货周转率 = 营业成本 / 平均存货 = 843,120,000.00 / 280,000,000.00 = 3.01次",
    ]
    assert c.inputs["prior(inventories)"] == D("260000000.00")
    en = compute("payable_days", CURRENT, PRIOR, lang="en")
    assert en.steps[-1] == (
        "Days payable outstanding = average accounts payable / cost of revenue × 365"
        " = 140,000,000.00 / 843,120,000.00 × 365 = 60.61 days"
    )


def test_round_half_up_at_the_boundary() -> None:
    # 28.245% exactly: ROUND_HALF_UP gives 28.25 where banker's rounding gives 28.24.
    c = compute("gross_margin", {"revenue": D(100000), "cost_of_revenue": D(71755)})
    assert c.value == D("28.25")
    assert compute("gross_margin", CURRENT, places=4).value == D("28.2635")


# ---------------------------------------------------------------------------- not computable


def test_missing_input_messages() -> None:
    values = {"revenue": CURRENT["revenue"]}
    zh = compute("gross_margin", values)
    assert (zh.value, zh.missing) == (None, ["cost_of_revenue"])
    assert zh.message == "cannot compute 毛利率: missing 营业成本"
    en = compute("gross_margin", values, lang="en")
    assert en.message == "cannot compute gross margin: missing cost of revenue"
    assert en.steps == [] and en.text == en.message


def test_missing_prior_and_several_inputs() -> None:
    c = compute("inventory_turnover", {"inventories": D(1)})
    assert c.missing == ["cost_of_revenue", "prior(inventories)"]
    assert c.message == "cannot compute 存货周转率: missing 营业成本, 上年存货"
    en = compute("inventory_turnover", {"inventories": D(1)}, lang="en")
    assert en.message == (
        "cannot compute inventory turnover: missing cost of revenue, prior-year inventories"
    )


def test_none_counts_as_missing() -> None:
    c = compute("current_ratio", {"total_current_assets": D(1), "total_current_liabilities": None})
    assert c.value is None and c.missing == ["total_current_liabilities"]


def test_division_by_zero_is_reported_not_raised() -> None:
    zh = compute("gross_margin", {"revenue": D(0), "cost_of_revenue": D(5)})
    assert (zh.value, zh.missing) == (None, [])
    assert zh.message == "cannot compute 毛利率: 营业收入 is 0"
    en = compute("inventory_turnover", {"cost_of_revenue": D(5), "inventories": D(0)},
                 {"inventories": D(0)}, lang="en")  # fmt: skip
    assert en.message == "cannot compute inventory turnover: average inventories is 0"


def test_extra_input_labels() -> None:
    c = compute("ebitda", {"operating_profit": D(1), "financial_expenses": D(1)}, lang="en")
    assert c.message == "cannot compute EBITDA: missing depreciation and amortization"


def test_float_inputs_are_refused() -> None:
    with pytest.raises(TypeError, match="never float"):
        compute("current_ratio", {"total_current_assets": 1.5, "total_current_liabilities": D(1)})


def test_unknown_formula() -> None:
    with pytest.raises(KeyError, match="unknown formula"):
        compute("magic_ratio", CURRENT)


def test_family_uses_its_default_variant() -> None:
    c = compute("roe", CURRENT, PRIOR)
    assert (c.metric, c.value) == ("roe_average", D("12.08"))
    assert find_formula("ROE") == formulas()["roe_average"]
    assert find_formula("净资产收益率") == formulas()["roe_average"]
    assert find_formula("全面摊薄净资产收益率") == formulas()["roe_simple"]
    assert find_formula("毛利率") == formulas()["gross_margin"]
    assert find_formula("working capital ratio") == formulas()["current_ratio"]
    assert find_formula("速动比率") == formulas()["quick_ratio"]
    assert find_formula("no such ratio") is None


# ---------------------------------------------------------------------------- templates


def test_growth() -> None:
    c = growth("revenue", CURRENT["revenue"], D("1050000000.00"))
    assert c.value == D("11.93")  # 125,301,034.32 / 1,050,000,000 = 0.119334
    assert c.metric == "growth(revenue)"
    assert c.steps == [
        "营业收入同比增长率 = (营业收入 - 上年营业收入) / |上年营业收入| × 100%"
        " = (1,175,301,034.32 - 1,050,000,000.00) / |1,050,000,000.00| × 100% = 11.93%"
    ]
    en = growth("revenue", D(110), D(100), lang="en")
    assert (
        en.formula
        == "Revenue YoY growth = (revenue - prior-year revenue) / |prior-year revenue| × 100%"
    )


def test_growth_with_negative_prior_uses_its_magnitude() -> None:
    assert growth("net_profit", D(-50), D(-100)).value == D("50.00")  # a smaller loss
    assert growth("net_profit", D(-150), D(-100)).value == D("-50.00")
    assert growth("net_profit", D(-20), D(100)).value == D("-120.00")


def test_growth_not_computable() -> None:
    assert (
        growth("revenue", D(5), D(0)).message
        == "cannot compute 营业收入同比增长率: |上年营业收入| is 0"
    )
    missing = growth("revenue", D(5), None, lang="en")
    assert missing.message == "cannot compute revenue YoY growth: missing prior-year revenue"
    assert missing.missing == ["prior(revenue)"]


def test_cagr() -> None:
    assert cagr(D(100), D("146.41"), 4).value == D("10.00")  # 1.1^4 = 1.4641
    assert cagr(D(1000), D(2000), 3).value == D("25.99")  # 2^(1/3) = 1.259921
    assert cagr(D(100), D(50), 1).value == D("-50.00")
    c = cagr(D(100), D("146.41"), 4, lang="en", metric_id="revenue")
    assert (c.metric, c.steps) == ("cagr(revenue)", [
        "Revenue CAGR = ((last value / first value) ^ (1 / years) - 1) × 100%"
        " = ((146.41 / 100) ^ (1 / 4) - 1) × 100% = 10.00%"
    ])  # fmt: skip


def test_cagr_not_computable() -> None:
    assert cagr(D(0), D(5), 3).message == "cannot compute 年复合增长率: 期初值 is 0"
    assert cagr(D(5), D(5), 0).message == "cannot compute 年复合增长率: 年数 is 0"
    negative = cagr(D(-100), D(50), 2, lang="en")
    assert negative.value is None
    assert negative.message == "cannot compute CAGR: last value / first value is negative"


# ---------------------------------------------------------------------------- the YAML itself


def test_every_input_is_a_taxonomy_metric_or_a_documented_extra() -> None:
    known = set(metrics()) | set(extra_inputs())
    for f in formulas().values():
        assert set(f.inputs + f.prior) <= known, f.id
    for mid, spec in extra_inputs().items():
        assert spec["zh"] and spec["en"] and spec["note"], mid


def test_formula_metadata() -> None:
    for f in formulas().values():
        assert f.zh and f.en and f.kind in KINDS and f.places == 2 and f.derived, f.id
        assert set(names_in(f.expr)[1]) == set(f.prior)
    for fid in ("roe_simple", "roe_average", "roa_average", "rd_investment_ratio", "ebitda",
                "quick_ratio", "cash_ratio", "inventory_days"):  # fmt: skip
        assert formulas()[fid].note, f"{fid} needs its variant note"
    for family, spec in families().items():
        assert formulas()[spec["default"]].family == family


def test_labels_are_unambiguous() -> None:
    seen: dict[str, str] = {}
    for f in formulas().values():
        for label in f.zh + f.en:
            assert seen.setdefault(label.casefold(), f.id) == f.id, label
    taxonomy = {label.casefold(): m.id for m in metrics().values() for label in m.labels}
    for label, fid in seen.items():
        assert taxonomy.get(label, fid) == fid, f"{label} names {fid} and {taxonomy[label]}"


def test_every_expression_parses_safely() -> None:
    exprs = [f.expr for f in formulas().values()]
    exprs += [t["expr"].format(metric="revenue") for t in templates().values()]
    for expr in exprs:
        tree = parse_expression(expr)
        assert isinstance(tree, ast.Expression)


@pytest.mark.parametrize(
    "expr",
    [
        "__import__('os').system('echo hi')",
        "revenue.__class__",
        "revenue.real",
        "revenue[0]",
        "open('x')",
        "eval('1')",
        "lambda: 1",
        "revenue if revenue else cost_of_revenue",
        "'abc'",
        "[revenue]",
        "revenue == 1",
        "revenue and cost_of_revenue",
        "abs(revenue, key=1)",
        "abs(*revenue)",
        "abs",
        "prior(prior(revenue))",
        "prior(1)",
        "avg()",
        "_secret",
        "(x := 1)",
        "True",
        "f'{revenue}'",
        "revenue; cost_of_revenue",
        "revenue % 2",
        "revenue // 2",
        "1e400",
        "1j",
        "1 + " * 200 + "1",
    ],
)
def test_unsafe_expressions_are_refused(expr: str) -> None:
    with pytest.raises(UnsafeExpression):
        parse_expression(expr)


def test_evaluate_directly() -> None:
    values = {"a": D("1.10"), "b": D("2.20")}
    assert evaluate("a + b", values) == D("3.30")  # Decimal: 1.1 + 2.2 is not 3.3000000000000003
    assert evaluate("avg(a, prior(a))", values, {"a": D("0.90")}) == D("1.00")
    assert evaluate("-a * 2 + abs(-b)", values) == D("0.00")
    with pytest.raises(NotComputable, match="too large"):
        evaluate("a ** 1000", values)
    with pytest.raises(NotComputable, match="is 0"):
        evaluate("a / (b - b)", values)
    with pytest.raises(NotComputable, match="out of range"):
        evaluate("(b - b) ** -1", values)
