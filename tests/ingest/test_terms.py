from pathlib import Path

import pytest

from domainsft.domains.finance import metrics
from domainsft.domains.finance.terms import annotate_terms

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
SIFANG = DATA / "reports" / "zh" / "cn_603339_sifang_2019_annual_report.pdf"


def found(text: str) -> list[tuple[str, str]]:
    return [(a.surface, a.metric) for a in annotate_terms(text)]


def check_spans(text: str) -> None:
    for a in annotate_terms(text):
        assert text[a.start : a.end] == a.surface


@pytest.mark.parametrize(
    ("text", "metric"),
    [
        ("营收", "revenue"),
        ("营业收入", "revenue"),
        ("主营业务收入", "revenue"),
        ("营业总收入", "total_operating_revenue"),
        ("总资产", "total_assets"),
        ("资产总额", "total_assets"),
        ("资产总计", "total_assets"),
        ("净利润", "net_profit"),
        ("归母净利润", "net_profit_attributable"),
        ("归属于上市公司股东的净利润", "net_profit_attributable"),
        ("扣非净利润", "net_profit_deducted"),
        ("归属于上市公司股东的扣除非经常性损益的净利润", "net_profit_deducted"),
        ("所有者权益（或股东权益）合计", "total_equity"),
        ("所有者权益(或股东权益)合计", "total_equity"),
        ("Revenue", "revenue"),
        ("Revenues", "revenue"),
        ("Net sales", "revenue"),
        ("Total revenues", "revenue"),
        ("TOTAL REVENUES", "revenue"),
        ("total assets", "total_assets"),
        ("Net income", "net_profit"),
        ("Net income attributable to shareholders", "net_profit_attributable"),
        ("Cost of sales", "cost_of_revenue"),
        ("Total shareholders’ equity", "total_equity"),
        ("R&D expenses", "rd_expenses"),
        ("EBITDA", "ebitda"),
        ("息税折旧摊销前利润", "ebitda"),
    ],
)
def test_label_maps_to_metric(text: str, metric: str) -> None:
    assert found(f"本期{text} 1,234.56") == [(text, metric)]


def test_longest_match_keeps_metrics_apart() -> None:
    text = (
        "营业总收入 10 营业收入 8 净利润 3 归母净利润 2 扣非净利润 1 归属于上市公司股东的净利润 2"
    )
    assert [m for _, m in found(text)] == [
        "total_operating_revenue",
        "revenue",
        "net_profit",
        "net_profit_attributable",
        "net_profit_deducted",
        "net_profit_attributable",
    ]


def test_wrapped_table_label_spans_the_line_break() -> None:
    text = (
        "归属于上市公司股东\r\n的净利润 129,465,020.68\n"
        "归属于上市公司股东\n的扣除非经常性损益\n的净利润 1"
    )
    assert found(text) == [
        ("归属于上市公司股东\r\n的净利润", "net_profit_attributable"),
        ("归属于上市公司股东\n的扣除非经常性损益\n的净利润", "net_profit_deducted"),
    ]
    check_spans(text)


def test_english_needs_word_boundaries_and_any_spacing() -> None:
    text = "Wholesales grew. Net\nsales were 5; netsales no; EBITDA为 3; Revenue-based"
    assert found(text) == [("Net\nsales", "revenue"), ("EBITDA", "ebitda"), ("Revenue", "revenue")]


def test_text_is_not_rewritten_and_spans_are_exact() -> None:
    text = "报告期内，公司实现营业收入 117,530.10 万元。Total assets were $2.4 billion; 总资产增长"
    before = str(text)
    annotations = annotate_terms(text)
    assert text == before
    assert [a.metric for a in annotations] == ["revenue", "total_assets", "total_assets"]
    check_spans(text)
    assert annotations == sorted(annotations, key=lambda a: a.start)


def test_phrases_that_only_contain_a_label_are_not_that_metric() -> None:
    assert found("递延所得税资产 100 所得税费用 20") == [("所得税费用", "income_tax")]
    assert found("扣除非经常性损益后的基本每股收益 0.62 基本每股收益 0.62") == [
        ("基本每股收益", "eps_basic")
    ]
    assert found("Deferred income taxes 5, Income taxes 7") == [("Income taxes", "income_tax")]


def test_generic_labels_only_as_row_labels() -> None:
    text = "硕士 25\n  博士 3\n董事长拥有硕士学位\nSales 100\nOur sales grew\nPhD 2"
    assert found(text) == [
        ("硕士", "staff_masters"),
        ("博士", "staff_phd"),
        ("Sales", "revenue"),
        ("PhD", "staff_phd"),
    ]


def test_yaml_fragments_are_not_labels() -> None:
    # "Accounts receivable, net" is split into "net" by the YAML flow list: never a label.
    assert found("net of tax") == []


def test_every_taxonomy_id_is_reachable() -> None:
    ids = {a.metric for m in metrics().values() for a in annotate_terms("\n".join(m.labels))}
    assert ids == set(metrics())


def test_empty_and_plain_text() -> None:
    assert annotate_terms("") == []
    assert annotate_terms("The weather was fine. 天气很好。") == []


def test_real_key_figures_page() -> None:
    if not SIFANG.exists():
        pytest.skip(f"real reports not available at {DATA}")
    pdfium = pytest.importorskip("pypdfium2")
    page = pdfium.PdfDocument(SIFANG)[4].get_textpage().get_text_range()
    metrics_found = [a.metric for a in annotate_terms(page)]
    for metric in (
        "revenue",
        "net_profit_attributable",
        "net_profit_deducted",
        "operating_cash_flow",
        "equity_attributable",
        "total_assets",
    ):
        assert metric in metrics_found
    assert "net_profit" not in metrics_found  # every 净利润 there belongs to a longer label
    check_spans(page)
