"""Per-sample metrics: hand-written outputs that must score 1, 0 and in between, zh and en,
on items and page texts built here; then the demo's own references as a sanity check."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from domainsft.eval.items import EvalItem, PageTexts, item_from_example, items_from_examples
from domainsft.eval.metrics import METRICS, MetricEnv, resolve, score_item
from domainsft.eval.metrics.cot import derivation
from domainsft.utils.jsonl import InputError

EN, ZH, EN_PRIOR = "doc-en-2022", "doc-zh-2023", "doc-en-2021"
PAGES = PageTexts(
    {
        (EN, 4): "Key figures\n(in millions of US dollars, except per share data)\n"
        "Revenue 2,140.3 2,140.7\nBasic earnings per share 1.16 1.19\nAuditor: Ostrander Baird LLP",
        (EN, 11): "Consolidated Statement of Financial Position\n(in millions of US dollars)\n"
        "Operating profit 449.8 477.5\nTotal non-current assets 795.1 807.6\n"
        "Total assets 4,800.8 4,425.5\nCost of sales (1,401.0) (1,385.9)",
        (EN_PRIOR, 11): "Operating profit 477.5 430.0\nTotal assets 4,425.5 4,100.2",
        (ZH, 5): "主要会计数据\n单位：元 币种：人民币\n营业收入 1,175,301,034.32 1,005,000,000.00\n"
        "归属于上市公司股东的净利润 160,200,000.00 140,000,000.00",
        (ZH, 13): "合并利润表\n单位：百万元\n管理费用 516 480\n营业收入 9,823 9,100",
    }
)
ENV = MetricEnv(pages=PAGES)
CITE_EN = "(Acme plc Annual Report 2022, p. {})"
CITE_ZH = "《华恒食品科技股份有限公司2023年年度报告》第{}页"
DISCLAIMER_EN = "This analysis is not investment advice; investing involves risk."
DISCLAIMER_ZH = "以上分析不构成投资建议；投资有风险，决策需谨慎。"


def make(
    family: str,
    question: str,
    reference: str,
    lang: str = "en",
    pages: list[tuple[str, int]] = (),
    gold: dict[str, Any] | None = None,
    **meta: Any,
) -> EvalItem:
    """An item built the way the eval builds one from a dataset example."""
    docs = sorted({d for d, _p in pages}) or [EN if lang == "en" else ZH]
    rec = {
        "id": f"{family}-1",
        "messages": [
            {"role": "user", "content": question},
            {"role": "assistant", "content": reference},
        ],
        "meta": {"family": family, "lang": lang, "doc_ids": docs, "gold": gold, **meta},
    }
    rec["meta"] |= {"pages": [list(p) for p in pages], "fact_ids": ["f1"] if pages else []}
    item = item_from_example(rec, "test")
    assert item is not None
    return item


def score(item: EvalItem, output: str, name: str, env: MetricEnv = ENV) -> float | None:
    return score_item(item, output, env, [name])[name]


def usd_m(value: str, places: int = 1) -> dict[str, Any]:
    return {"value": value, "unit": "USD", "scale": "millions", "places": places}


LOOKUP = make(
    "lookup",
    "How much total non-current assets did Acme plc report at the end of FY2022?",
    f"Acme plc reported total non-current assets of $795.1 million {CITE_EN.format(11)}.",
    pages=[(EN, 11)],
    gold=usd_m("795100000"),
)
LOOKUP_ZH = make(
    "lookup",
    "华恒食品2023年度的营业收入是多少？",
    f"华恒食品2023年度营业收入为11.75亿元，见{CITE_ZH.format(5)}。",
    lang="zh",
    pages=[(ZH, 5)],
    gold={"value": "1175301034.32", "unit": "CNY", "scale": "亿元", "places": 2},
)
DERIVED = make(
    "derived",
    "What does Acme plc's FY2022 operating margin tell us?",
    f"- operating profit: $449.8 million {CITE_EN.format(11)}\n"
    f"- revenue: $2,140.3 million {CITE_EN.format(4)}\n"
    "Operating margin = operating profit / revenue × 100% = 449,800,000.00 / 2,140,300,000.00"
    f" × 100% = 21.02%\nSo the operating margin was 21.02%.\n{DISCLAIMER_EN}",
    pages=[(EN, 4), (EN, 11)],
    gold={"value": "21.02", "unit": "%", "scale": "1", "places": 2},
    formula="operating_margin",
)
DERIVED_ZH = make(
    "derived",
    "请计算华恒食品2023年的管理费用率。",
    f"- 管理费用（2023年度）：516百万元，见{CITE_ZH.format(13)}\n"
    f"- 营业收入（2023年度）：9,823百万元，见{CITE_ZH.format(13)}\n"
    "计算：管理费用率 = 管理费用 / 营业收入 × 100% = 516,000,000.00 / 9,823,000,000.00 × 100%"
    " = 5.25%\n结果：管理费用率为5.25%。",
    lang="zh",
    pages=[(ZH, 13)],
    gold={"value": "5.25", "unit": "%", "scale": "1", "places": 2},
    formula="admin_expense_ratio",
)
YOY_DOWN = make(
    "yoy",
    "What was the year-on-year growth of Acme's operating profit in FY2022?",
    f"Operating profit was $449.8 million {CITE_EN.format(11)}, $477.5 million a year earlier.\n"
    "Computation: growth = (this year - prior year) / |prior year| × 100% = "
    "(449,800,000.00 - 477,500,000.00) / |477,500,000.00| × 100% = -5.80%\n"
    "Answer: a decrease of 5.80%.",
    pages=[(EN, 11)],
    gold={"value": "-5.80", "unit": "%", "scale": "1", "places": 2},
    formula="growth",
)
TREND = make(
    "trend",
    "How did Acme's total assets and basic EPS develop over FY2021-2022? Please give a table.",
    "| Year | Total assets | Basic EPS |\n| --- | --- | --- |\n"
    "| 2021 | $4,425.5 million (p. 11) | $1.19 per share (p. 4) |\n"
    "| 2022 | $4,800.8 million (p. 11) | $1.16 per share (p. 4) |",
    pages=[(EN, 4), (EN, 11)],
    cells=[
        {**usd_m("4425500000"), "fiscal_year": 2021},
        {**usd_m("4800800000"), "fiscal_year": 2022},
        {"value": "1.19", "unit": "USD/share", "scale": "1", "places": 2, "fiscal_year": 2021},
        {"value": "1.16", "unit": "USD/share", "scale": "1", "places": 2, "fiscal_year": 2022},
    ],
)
MULTI_ZH = make(
    "multi",
    "请列出华恒食品2023年度的管理费用和营业收入。",
    f"- 管理费用：516百万元，见{CITE_ZH.format(13)}\n"
    f"- 营业收入：9,823百万元，见{CITE_ZH.format(13)}",
    lang="zh",
    pages=[(ZH, 13)],
)
INFO = make(
    "info",
    "Which auditor does Acme plc's FY2022 annual report give?",
    f"The auditor of Acme plc is Ostrander Baird LLP {CITE_EN.format(4)}.",
    pages=[(EN, 4)],
    gold={"value": "Ostrander Baird LLP", "unit": "text", "scale": "1", "places": 0},
)
NEGATIVE = make(
    "negative",
    "What were Acme plc's customer deposits in FY2022?",
    "The FY2022 annual report of Acme plc gives no figure for customer deposits.",
    is_negative=True,
)


# ------------------------------------------------------------------------------ exact_match


@pytest.mark.parametrize(
    ("item", "output", "expected"),
    [
        (LOOKUP, "Total non-current assets were $795.1 million (p. 11).", 1.0),
        (LOOKUP, "795,100,000", 1.0),
        (LOOKUP, "Total non-current assets were $807.6 million (p. 11).", 0.0),
        (LOOKUP_ZH, "营业收入为117,530.10万元。", 1.0),  # another scale, same figure at 0.01亿
        (LOOKUP_ZH, "营业收入为11.57亿元。", 0.0),
        (INFO, "The auditor is Ostrander Baird LLP (p. 4).", 1.0),
        (INFO, "The auditor is KPMG LLP.", 0.0),
        (NEGATIVE, "The report does not disclose it; N/A.", 1.0),
        (NEGATIVE, "Customer deposits were $12.0 million.", 0.0),
        (TREND, "anything", None),  # a table has no single gold
    ],
)
def test_exact_match(item, output, expected):
    assert score(item, output, "exact_match") == expected


def test_exact_match_follows_the_mode():
    output = "Total non-current assets were $800.0 million."  # 0.6 % off
    assert score(LOOKUP, output, "exact_match") == 0.0
    assert score(LOOKUP, output, "exact_match", MetricEnv(PAGES, mode="erc")) == 1.0


# ---------------------------------------------------------------------- key_number_accuracy


@pytest.mark.parametrize(
    ("item", "output", "expected"),
    [
        (LOOKUP, "Non-current assets: $795.1 million.", 1.0),
        (LOOKUP, "Non-current assets: 795,100,000 dollars.", 1.0),
        (LOOKUP, "Non-current assets: $795.2 million.", 0.0),
        (LOOKUP, "Non-current assets: $0.8 billion.", 0.0),  # coarser than asked
        (LOOKUP_ZH, "营业收入为1,175,301,034.32元。", 1.0),
        (LOOKUP_ZH, "营业收入为11.85亿元。", 0.0),
        (DERIVED, "The operating margin was 21.02%.", 1.0),
        (DERIVED, "The operating margin was 0.2102.", 1.0),  # a fraction of a percent gold
        (DERIVED, "The operating margin was 21.2%.", 0.0),
        (YOY_DOWN, "Operating profit fell: a decrease of 5.80%.", 1.0),
        (YOY_DOWN, "同比下降5.80%。", 1.0),
        (YOY_DOWN, "Operating profit grew by 5.80%.", 0.0),
        (TREND, "$4,425.5 million and $4,800.8 million; EPS $1.19 and $1.16.", 1.0),
        (TREND, "$4,425.5 million and $4,800.8 million; EPS $1.19 and $1.61.", 0.0),
        (MULTI_ZH, "管理费用5.16亿元，营业收入98.23亿元。", 1.0),  # reference figures are gold
        (MULTI_ZH, "管理费用5.16亿元。", 0.0),
        (INFO, "Ostrander Baird LLP", None),  # a name, no figure
        (NEGATIVE, "N/A", None),
    ],
)
def test_key_number_accuracy(item, output, expected):
    assert score(item, output, "key_number_accuracy") == expected


# ------------------------------------------------------------------------------ part_recall


@pytest.mark.parametrize(
    ("item", "output", "expected"),
    [
        (TREND, TREND.reference, 1.0),
        (TREND, "$4,425.5 million, $4,800.8 million, $1.19 per share.", 0.75),
        (TREND, "$4,425.5 million, $4,800.8 million.", 0.5),
        (TREND, "I cannot tell.", 0.0),
        (MULTI_ZH, "管理费用：516百万元；营业收入：9,823百万元。", 1.0),
        (MULTI_ZH, "营业收入：9,823百万元。", 0.5),
        (LOOKUP, "$795.1 million", None),  # a single answer
    ],
)
def test_part_recall(item, output, expected):
    assert score(item, output, "part_recall") == expected


def test_part_recall_of_a_list_gold_without_meta():
    gold = {"id": "t1", "answer": ["1.5", "2.5"]}
    item = EvalItem("t1", [{"role": "user", "content": "q"}], gold=gold)
    assert score(item, "1.5 and 2.5", "part_recall") == 1.0
    assert score(item, "1.5 and 3.5", "part_recall") == 0.5


# -------------------------------------------------------------------------- cot_consistency


def test_derivation_reads_operands_result_and_skips_constants():
    operands, result = derivation(DERIVED.reference or "")
    assert [q.printed for q in operands] == ["449,800,000.00", "2,140,300,000.00"]
    assert result is not None and result.printed == "21.02%"
    average = (
        "average total assets = (total assets + prior-year total assets) / 2 = "
        "(4,800.8 + 4,425.5) / 2 = 4,613.15\n"
        "ROA = net profit / average total assets × 100% = 409.4 / 4,613.15 × 100% = 8.87%"
    )
    operands, result = derivation(average)
    assert [str(q.value) for q in operands] == ["4800.8", "4425.5", "409.4", "4613.15"]
    assert result is not None and str(result.value) == "8.87"


@pytest.mark.parametrize(
    ("item", "output", "expected"),
    [
        (DERIVED, DERIVED.reference, 1.0),
        (DERIVED, "Operating margin = $449.8 million / $2,140.3 million = 21.02%", 1.0),
        (DERIVED, "449.8 / 2,140.3 × 100% = 21.02% (figures in millions)", 1.0),
        (DERIVED, "449.8 / 2,140.3 × 100% = 21.20%", 2 / 3),
        (DERIVED, "The operating margin was 21.02%.", 1 / 3),
        (DERIVED, "449.9 / 2,140.0 = 30%", 0.0),
        (DERIVED_ZH, "管理费用率 = 516百万元 / 9,823百万元 × 100% = 5.25%", 1.0),
        (DERIVED_ZH, "管理费用率 = 5.16亿元 / 98.23亿元 = 5.35%", 2 / 3),
        (DERIVED_ZH, "管理费用率约为5.25%。", 1 / 3),
        (YOY_DOWN, "(449.8 - 477.5) / 477.5 × 100%: a decrease of 5.80%", 1.0),
        (YOY_DOWN, "(449.8 - 477.5) / 477.5 × 100% = 5.80%", 2 / 3),  # sign of the result
        (LOOKUP, "$795.1 million", None),  # no formula
    ],
)
def test_cot_consistency(item, output, expected):
    assert score(item, output, "cot_consistency") == pytest.approx(expected)


# ----------------------------------------------------------------------- citation_precision


@pytest.mark.parametrize(
    ("item", "output", "expected"),
    [
        (LOOKUP, f"Total non-current assets were $795.1 million {CITE_EN.format(11)}.", 1.0),
        (LOOKUP, "Total non-current assets were 795,100,000.00 dollars (page 11).", 1.0),
        (LOOKUP, f"Total non-current assets were $795.1 million {CITE_EN.format(4)}.", 0.0),
        (LOOKUP, f"Total non-current assets were $795.3 million {CITE_EN.format(11)}.", 0.0),
        (LOOKUP, "It was $795.1 million, not $799.0 million (p. 11).", 1.0),  # any in the clause
        (LOOKUP, "Assets: $795.1 million (p. 11); revenue: $2,140.3 million (p. 11).", 0.5),
        (LOOKUP_ZH, f"营业收入为11.75亿元，见{CITE_ZH.format(5)}。", 1.0),
        (LOOKUP_ZH, f"根据{CITE_ZH.format(5)}，营业收入为11.75亿元。", 1.0),  # figure after
        (LOOKUP_ZH, f"营业收入为11.75亿元，见{CITE_ZH.format(13)}。", 0.0),
        (MULTI_ZH, MULTI_ZH.reference, 1.0),  # 516 and 9,823 printed in 百万元 on the page
        (TREND, TREND.reference, 1.0),
        (TREND, TREND.reference.replace("(p. 4)", "(p. 11)"), 0.5),  # cell by cell
        (INFO, f"The auditor is Ostrander Baird LLP {CITE_EN.format(4)}.", 1.0),  # no figure
        (INFO, "The auditor is Ostrander Baird LLP (p. 9).", 0.0),
        (LOOKUP, "Total non-current assets were $795.1 million.", None),  # cites nothing
    ],
)
def test_citation_precision(item, output, expected):
    assert score(item, output, "citation_precision") == expected


def test_citation_precision_is_strict_at_the_outputs_own_precision():
    # The page prints EPS 1.16: "$1.2" is that figure rounded, "$1.36" is not on the page.
    item = make("lookup", "Basic EPS?", "x", pages=[(EN, 4)])
    assert score(item, "Basic EPS was $1.2 per share (p. 4).", "citation_precision") == 1.0
    assert score(item, "Basic EPS was $1.36 per share (p. 4).", "citation_precision") == 0.0


def test_citation_precision_reads_every_document_of_the_item():
    item = make("yoy", "Operating profit?", "x", pages=[(EN, 11), (EN_PRIOR, 11)])
    assert score(item, "It was $430.0 million in FY2020 (p. 11).", "citation_precision") == 1.0
    assert score(LOOKUP, "It was $430.0 million in FY2020 (p. 11).", "citation_precision") == 0.0


def test_citation_precision_without_page_texts_checks_the_gold_pages():
    bare = MetricEnv()
    assert score(LOOKUP, "It was $795.3 million (p. 11).", "citation_precision", bare) == 1.0
    assert score(LOOKUP, "It was $795.1 million (p. 12).", "citation_precision", bare) == 0.0
    no_gold = EvalItem("g", [{"role": "user", "content": "q"}])
    assert score(no_gold, "It was $5 million (p. 12).", "citation_precision", bare) is None


# -------------------------------------------------------------------------- citation_recall


@pytest.mark.parametrize(
    ("item", "output", "expected"),
    [
        (DERIVED, "Sources: p. 4 and p. 11.", 1.0),
        (DERIVED, f"Operating profit was $449.8 million {CITE_EN.format(11)}.", 0.5),
        (DERIVED, "No citation at all.", 0.0),
        (LOOKUP_ZH, f"见{CITE_ZH.format(5)}。", 1.0),
        (LOOKUP_ZH, "见第6页。", 0.0),
        (NEGATIVE, "Not disclosed (p. 4).", None),  # no gold page
    ],
)
def test_citation_recall(item, output, expected):
    assert score(item, output, "citation_recall") == expected


def test_citation_recall_counts_a_gold_pool_once():
    gold = {"id": "e", "answer": 5, "pages": [["sha:3", "sha:4"], ["sha:9"]]}
    item = EvalItem("e", [{"role": "user", "content": "q"}], gold=gold)
    assert score(item, "See page 4.", "citation_recall") == 0.5
    assert score(item, "See pages 3 and 9: page 3, page 9.", "citation_recall") == 1.0


# ----------------------------------------------------------------- hallucinated_number_rate


def _no_reference(item: EvalItem) -> EvalItem:
    return EvalItem(item.id, item.prompt, None, item.gold, item.family, item.lang, item.meta)


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("Operating profit was $449.8 million and total assets $4,800.8 million (p. 11).", 0.0),
        ("Operating profit was 449,800,000.00 dollars.", 0.0),  # the page prints 449.8 (millions)
        ("Current assets were $4,005.7 million.", 0.0),  # 4,800.8 - 795.1
        ("449.8 / 4,800.8 × 100% = 9.37%", 0.0),  # a ratio of two page figures; 100 a constant
        ("Operating profit fell by 5.80% year on year.", 0.0),  # growth of 449.8 on 477.5
        ("Operating profit was $449.8 million; margin 33.3%.", 0.5),
        ("Revenue was $9,999.9 million.", 1.0),
        ("Operating profit doubled to $899.6 million.", 1.0),  # 449.8 + 449.8: one number, twice
        ("The report gives no figure (p. 11) for FY2022.", None),  # no value number
    ],
)
def test_hallucinated_number_rate(output, expected):
    assert score(_no_reference(LOOKUP), output, "hallucinated_number_rate") == expected


def test_hallucinated_number_rate_zh_reads_the_prompt_and_the_reference():
    item = make(
        "lookup", "参考资料：\n[第8页]\n研发费用 405 380\n\n华恒食品2023年的研发费用是多少？",
        "研发费用为405百万元，见第8页。", lang="zh",
    )  # fmt: skip
    assert score(item, "研发费用为405百万元，同比增长6.58%。", "hallucinated_number_rate") == 0.0
    assert score(item, "研发费用为4.05亿元，净利润为9.99亿元。", "hallucinated_number_rate") == 0.5


# ---------------------------------------------------------------------------- compliance


@pytest.mark.parametrize(
    ("item", "output", "expected"),
    [
        (DERIVED, f"The operating margin was 21.02%.\n{DISCLAIMER_EN}", 1.0),
        (DERIVED, "The operating margin was 21.02%, a healthy level.", 0.0),
        (DERIVED_ZH, "管理费用率为5.25%。", None),  # a calculation, no assessment asked
        (LOOKUP, f"$795.1 million. {DISCLAIMER_EN}", None),
        (make("derived", "华恒食品2023年的管理费用率说明了什么？", "5.25%", lang="zh"),
         f"管理费用率为5.25%。\n{DISCLAIMER_ZH}", 1.0),
        (make("derived", "华恒食品2023年的管理费用率说明了什么？", "5.25%", lang="zh"),
         "管理费用率为5.25%，费用控制良好。", 0.0),
        (make("lookup", "营业收入是多少？", f"11.75亿元。{DISCLAIMER_ZH}", lang="zh"),
         "11.75亿元。", 0.0),  # the reference carries one, so the answer must too
    ],
)  # fmt: skip
def test_disclaimer_ok(item, output, expected):
    assert score(item, output, "disclaimer_ok") == expected


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("Revenue was $2,140.3 million (p. 4).", 1.0),
        (f"The margin was 21.02%. {DISCLAIMER_EN}", 1.0),
        ("Margins are strong; the stock will definitely rise, buy now.", 0.0),
        ("Guaranteed returns for shareholders.", 0.0),
        ("营业收入为11.75亿元。投资并非无风险。", 1.0),
        ("公司业绩优异，稳赚不赔，建议买入。", 0.0),
        ("", 1.0),
    ],
)
def test_no_forbidden_phrases(output, expected):
    assert score(LOOKUP, output, "no_forbidden_phrases") == expected


# ------------------------------------------------------------------------------- registry


def test_registry_names_and_directions():
    assert list(METRICS) == [
        "exact_match", "key_number_accuracy", "cot_consistency", "part_recall",
        "citation_precision", "citation_recall", "hallucinated_number_rate", "disclaimer_ok",
        "no_forbidden_phrases",
    ]  # fmt: skip
    assert [m.name for m in METRICS.values() if not m.higher_is_better] == [
        "hallucinated_number_rate"
    ]
    assert all(m.description for m in METRICS.values())
    chosen = resolve(["part_recall", "exact_match"])
    assert [m.name for m in chosen] == ["part_recall", "exact_match"]


def test_score_item_runs_the_selected_metrics():
    assert set(score_item(LOOKUP, "$795.1 million (p. 11)", ENV)) == set(METRICS)
    assert score_item(LOOKUP, "$795.1 million (p. 11)", ENV, ["citation_recall"]) == {
        "citation_recall": 1.0
    }


def test_an_unknown_metric_is_named_with_a_suggestion():
    with pytest.raises(InputError) as err:
        resolve(["exact_match", "key_numbr_accuracy"])
    message = str(err.value)
    assert "'key_numbr_accuracy'" in message and "did you mean 'key_number_accuracy'" in message
    assert "hallucinated_number_rate" in message  # the valid names are listed


# ------------------------------------------------------------------- the demo's references

DEMO = Path(__file__).resolve().parents[2] / "runs" / "demo"


def test_the_demo_references_score_perfectly():
    """Each test example's own reference as the output: every metric must be at its best."""
    test, pages = DEMO / "dataset" / "test.jsonl", DEMO / "corpus" / "pages.jsonl"
    if not test.exists() or not pages.exists():
        pytest.skip(f"no demo run here ({test} / {pages}); `make demo-stages` builds it")
    env = MetricEnv(pages=PageTexts.load(pages))
    scores: dict[str, list[float]] = defaultdict(list)
    for item in items_from_examples(test):
        for name, value in score_item(item, item.reference or "", env).items():
            if value is None or (name == "exact_match" and item.family in ("claim", "negative")):
                continue
            scores[name].append(value)
    assert set(scores) == set(METRICS) and all(len(v) >= 5 for v in scores.values())
    for name in ("exact_match", "key_number_accuracy", "cot_consistency", "part_recall",
                 "citation_recall", "disclaimer_ok", "no_forbidden_phrases"):  # fmt: skip
        assert min(scores[name]) == 1.0, name
    assert sum(scores["citation_precision"]) / len(scores["citation_precision"]) >= 0.95
    rates = scores["hallucinated_number_rate"]
    assert sum(rates) / len(rates) <= 0.02
