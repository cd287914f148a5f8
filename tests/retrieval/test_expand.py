"""Query expansion from the domain pack: metrics, formulas, topics, quoted phrases, weights."""

from __future__ import annotations

from domainsft.retrieval import DEFAULT_WEIGHTS, expand_query


def test_a_metric_named_adds_its_labels_and_its_concept_token():
    q = expand_query("What is the Cash flow from operations for FY2023?", langs=["en"])
    assert "metric:operating_cash_flow" in q.expanded_with
    assert q.weights["@operating_cash_flow"] == DEFAULT_WEIGHTS.concept
    assert q.weights["provid"] == DEFAULT_WEIGHTS.label  # "net cash provided by ..."
    assert q.weights["2023"] == DEFAULT_WEIGHTS.context
    assert not any("\u4e00" <= t[0] <= "\u9fff" for t in q.weights)  # English pages only


def test_a_formula_named_adds_the_metrics_it_reads_and_the_longest_name_wins():
    q = expand_query("2023年毛利率是多少？")
    assert q.expanded_with[:1] == ("formula:gross_margin",)  # not gross_profit (毛利)
    assert {"@revenue", "@cost_of_revenue"} <= set(q.weights)
    roe = expand_query("全面摊薄净资产收益率")
    assert "formula:roe_simple" in roe.expanded_with
    assert not any(s.startswith("formula:roa") for s in roe.expanded_with)  # 资产收益率 inside


def test_a_topic_adds_the_words_reports_use_for_it():
    q = expand_query("Did the company mention any mergers or acquisitions?", langs=["en"])
    assert q.expanded_with == ("topic:mergers_acquisitions",)
    assert q.weights["acquir"] == DEFAULT_WEIGHTS.expansion  # "acquired" stems apart
    assert q.weights["compani"] == DEFAULT_WEIGHTS.context


def test_a_lenders_revenue_is_also_looked_for_as_interest_income():
    q = expand_query("What is the Total revenue?", langs=["en"])
    assert q.weights["interest_incom"] == DEFAULT_WEIGHTS.expansion


def test_one_word_labels_count_in_a_question_though_not_in_prose():
    assert "metric:staff_phd" in expand_query("请问2023年末博士为多少？").expanded_with
    assert "metric:auditor" in expand_query("Which auditor does it name?").expanded_with


def test_a_quoted_phrase_is_what_the_user_wants_found():
    q = expand_query('Summarise the "Financial highlights" section.', langs=["en"])
    assert q.weights["highlight"] == q.weights["financi_highlight"] == DEFAULT_WEIGHTS.named
    assert q.weights["summaris"] == DEFAULT_WEIGHTS.context


def test_no_mention_leaves_every_word_at_full_weight_and_none_turns_expansion_off():
    q = expand_query("Who audits the accounts of the group")
    assert q.expanded_with == () and set(q.weights.values()) == {1.0}
    plain = expand_query("Cash flow from operations", weights=None)
    assert plain.weights == {"cash": 1.0, "flow": 1.0, "oper": 1.0}
