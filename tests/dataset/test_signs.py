"""Costs printed as negatives (IFRS style) enter formulas turned round; a negative 财务费用
beside positive costs (CAS style) is net finance income and stays negative. The builder and
the provenance check read inputs the same way, and the answer shows both the printed figure
and the one the formula used."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domainsft.dataset import mix
from domainsft.dataset.corpus import Index
from domainsft.dataset.families import FAMILIES, Context
from domainsft.dataset.provenance import check
from domainsft.dataset.signs import Signs, inputs, note
from domainsft.domains.finance import metrics
from domainsft.domains.finance.formulas import compute, growth
from domainsft.domains.finance.signs import as_formula_input, costs_negative
from domainsft.records import Fact, Page

D = Decimal
RATIOS = ("gross_margin", "cost_ratio", "period_expense_ratio", "selling_expense_ratio")


def _fact(doc: str, lang: str, page: int, row: int, metric: str, value: str, printed: str,
          year: int = 2023, table: int | None = 0, statement: str = "income",
          scale: str = "millions", unit: str = "USD") -> Fact:  # fmt: skip
    col = 1 + 2023 - year
    return Fact(
        fact_id=f"{doc}:p{page}:{table}.{row}.{col}", doc_id=doc, source=f"{doc}.pdf",
        company=f"{doc} plc", company_short="", stock_code="X", report_year=2023,
        fiscal_year=year, period="year", period_end=f"{year}-12-31", metric=metric,
        label=metric, value=value, unit=unit, scale=scale, printed=printed,
        statement=statement, scope="consolidated", page=page, table=table, row=row, col=col,
        evidence=printed, confidence=1.0, lang=lang,
    )  # fmt: skip


def _uk() -> tuple[list[Fact], dict]:
    """An IFRS-style statement: costs in brackets, a positive finance cost is income."""
    rows = [
        ("revenue", "2254200000", "2,254.2", "2140300000", "2,140.3"),
        ("cost_of_revenue", "-1459600000", "(1,459.6)", "-1401000000", "(1,401.0)"),
        ("selling_expenses", "-54800000", "(54.8)", "-61000000", "(61.0)"),
        ("admin_expenses", "-144700000", "(144.7)", "-150000000", "(150.0)"),
        ("financial_expenses", "3800000", "3.8", "9200000", "9.2"),
        ("income_tax", "-3800000", "(3.8)", "-9200000", "(9.2)"),
    ]
    facts = [_fact("uk", "en", 4, 0, "revenue", "2254200000", "2,254.2", statement="key_figures")]
    for i, (metric, now, now_p, before, before_p) in enumerate(rows, start=1):
        facts.append(_fact("uk", "en", 11, i, metric, now, now_p))
        facts.append(_fact("uk", "en", 11, i, metric, before, before_p, year=2022))
    text = "\n".join(f"{m} {a} {b}" for m, _, a, _, b in rows)
    return facts, {("uk", 4): "Revenue 2,254.2", ("uk", 11): text}


def _cn() -> tuple[list[Fact], dict]:
    """A CAS-style statement: costs positive, 财务费用 negative = net finance income."""
    rows = [
        ("revenue", "9823000000", "9,823"),
        ("cost_of_revenue", "6000000000", "6,000"),
        ("selling_expenses", "300000000", "300"),
        ("admin_expenses", "516000000", "516"),
        ("financial_expenses", "-37000000", "-37"),
    ]
    facts = [_fact("cn", "zh", 13, i, m, v, p, scale="百万元", unit="CNY")
             for i, (m, v, p) in enumerate(rows)]  # fmt: skip
    return facts, {("cn", 13): "\n".join(f"{m} {p}" for m, _, p in rows)}


def _pages(texts: dict) -> dict[tuple[str, int], Page]:
    return {k: Page(doc_id=k[0], source=f"{k[0]}.pdf", page=k[1], text=t) for k, t in texts.items()}


def _derived(facts: list[Fact], texts: dict) -> dict[str, object]:
    ctx = Context(Index(facts), 0, 0.5, _pages(texts))
    return {ex.meta["formula"]: mix.assign_id(ex) for ex in FAMILIES["derived"](ctx)}


def _by_metric(facts: list[Fact], year: int = 2023) -> dict[str, Fact]:
    return {f.metric: f for f in facts if f.fiscal_year == year and f.page != 4}


def test_expense_flags_in_the_taxonomy():
    flagged = {m.id: m.expense for m in metrics().values() if m.expense}
    assert flagged["cost_of_revenue"] == "always" and flagged["capex"] == "always"
    assert flagged["financial_expenses"] == "net" and flagged["income_tax"] == "net"
    assert "revenue" not in flagged and "credit_impairment_losses" not in flagged


def test_statement_way_from_its_pure_cost_lines():
    assert costs_negative([("cost_of_revenue", D(-1)), ("revenue", D(2))]) is True
    assert costs_negative([("cost_of_revenue", D(1)), ("financial_expenses", D(-1))]) is False
    assert costs_negative([("financial_expenses", D(-1)), ("revenue", D(5))]) is None
    assert as_formula_input("cost_of_revenue", D(-5), True) == 5
    assert as_formula_input("financial_expenses", D(3), True) == -3
    assert as_formula_input("financial_expenses", D(-3), False) == -3
    assert as_formula_input("revenue", D(5), True) == 5


def test_negative_costs_give_a_sane_gross_margin_and_ratios():
    facts, texts = _uk()
    made = _derived(facts, texts)
    assert D(made["gross_margin"].meta["gold"]["value"]) == D("35.25")
    assert D(made["cost_ratio"].meta["gold"]["value"]) == D("64.75")
    assert D(made["selling_expense_ratio"].meta["gold"]["value"]) == D("2.43")
    # (54.8 + 144.7 - 3.8) / 2,254.2: the positive finance cost is income and lowers the ratio
    assert D(made["period_expense_ratio"].meta["gold"]["value"]) == D("8.68")
    answer = made["gross_margin"].messages[-1]["content"]
    assert "-$1,459.6 million" in answer  # the input as the report prints it
    assert "(2,254,200,000.00 - 1,459,600,000.00) / 2,254,200,000.00" in answer
    assert "-1,459,600,000.00 → 1,459,600,000.00" in answer  # and the sign handling, shown
    assert "164.75" not in answer


def test_cas_negative_financial_expenses_stay_negative():
    facts, texts = _cn()
    signs = Signs(facts)
    fin = _by_metric(facts)["financial_expenses"]
    assert signs.value(fin) == D("-37000000") and not signs.turned(fin)
    made = _derived(facts, texts)
    assert D(made["gross_margin"].meta["gold"]["value"]) == D("38.92")
    assert D(made["cost_ratio"].meta["gold"]["value"]) == D("61.08")
    assert D(made["period_expense_ratio"].meta["gold"]["value"]) == D("7.93")  # 779 / 9,823
    assert all("符号说明" not in ex.messages[-1]["content"] for ex in made.values())
    now, _ = inputs(signs, [fin, _by_metric(facts)["revenue"]], [])
    assert compute("financial_expense_ratio", now).value == D("-0.38")  # net finance income


@pytest.mark.parametrize("case", [_uk, _cn])
def test_cost_ratios_positive_and_provenance_recomputes(case):
    facts, texts = case()
    made = _derived(facts, texts)
    for name in RATIOS:
        assert D(made[name].meta["gold"]["value"]) > 0, name
    report = check(list(made.values()), _pages(texts), {f.fact_id: f for f in facts})
    assert report["passed"] and report["checked"] == len(made), report["failures"]


def test_growth_of_an_expense_is_growth_of_the_cost():
    facts, _ = _uk()
    signs = Signs(facts)
    now, before = _by_metric(facts), _by_metric(facts, 2022)
    # (1,401.0) -> (1,459.6): cost of revenue rose 4.18%
    cost = growth("cost_of_revenue", signs.value(now["cost_of_revenue"]),
                  signs.value(before["cost_of_revenue"]))  # fmt: skip
    assert cost.value == D("4.18")
    # (9.2) -> (3.8): a tax expense that fell 58.70%, as 9.2 -> 3.8 printed positive would
    tax = growth("income_tax", signs.value(now["income_tax"]), signs.value(before["income_tax"]))
    assert tax.value == D("-58.70") == growth("income_tax", D("3.8"), D("9.2")).value
    # 9.2 -> 3.8 printed positive beside bracketed costs: net finance income that shrank, the
    # same figure a CAS report printing 财务费用 -9.2 -> -3.8 gives
    fin = growth("financial_expenses", signs.value(now["financial_expenses"]),
                 signs.value(before["financial_expenses"]))  # fmt: skip
    assert fin.value == growth("financial_expenses", D("-3.8"), D("-9.2")).value == D("58.70")


def test_yoy_answers_state_the_right_direction_and_pass_provenance():
    facts, texts = _uk()
    ctx = Context(Index(facts), 0, 0.5, _pages(texts))
    made = {ex.meta["fact_ids"][0]: mix.assign_id(ex) for ex in FAMILIES["yoy"](ctx)}
    cost = next(ex for ex in made.values() if "cost of revenue" in ex.messages[-1]["content"])
    assert cost.meta["gold"]["value"] == "4.18"
    assert "increase" in cost.messages[-1]["content"]
    assert "-1,401,000,000.00 → 1,401,000,000.00" in cost.messages[-1]["content"]
    report = check(list(made.values()), _pages(texts), {f.fact_id: f for f in facts})
    assert report["passed"], report["failures"]


def test_note_in_both_languages():
    facts, _ = _uk()
    signs = Signs(facts)
    cost, fin = _by_metric(facts)["cost_of_revenue"], _by_metric(facts)["financial_expenses"]
    zh = note(signs, [cost, fin], "zh")
    assert zh.startswith("\n符号说明")
    assert "营业成本（2023年度）-1,459,600,000.00 → 1,459,600,000.00" in zh
    assert "财务费用（2023年度）3,800,000.00 → -3,800,000.00（该表中为正数，即净收益）" in zh
    en = note(signs, [cost], "en")
    assert en.startswith("\nSign convention") and "cost of revenue for FY2023" in en
    assert note(signs, [_by_metric(facts)["revenue"]], "en") == ""


def test_a_table_without_cost_lines_takes_its_statement_s_way():
    facts, _ = _uk()
    moved = _fact("uk", "en", 12, 0, "income_tax", "-5000000", "(5.0)")  # continued on p. 12
    prose = _fact("uk", "en", 6, 0, "rd_expenses", "73000000", "$73.0 million",
                  table=None, statement="mdna")  # fmt: skip
    signs = Signs([*facts, moved, prose])
    assert signs.value(moved) == D("5000000")
    assert signs.value(prose) == D("73000000")  # MD&A prose prints costs positive
