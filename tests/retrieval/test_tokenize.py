"""Tokens: jieba search-mode words for Chinese, Snowball stems for English, normalised numbers."""

from __future__ import annotations

from domainsft.retrieval.tokenize import normalise_number, tokenize, word_pairs


def test_english_words_are_stemmed_and_stop_words_dropped():
    assert tokenize("The operations and operating revenues of R&D") == [
        "oper", "oper", "revenu", "r&d",
    ]  # fmt: skip


def test_chinese_runs_give_words_and_the_words_inside_them():
    tokens = tokenize("归属于上市公司股东的净利润为多少")
    assert {"净利润", "净利", "利润", "上市公司", "股东"} <= set(tokens)
    assert "的" not in tokens and "多少" not in tokens and "为" not in tokens


def test_numbers_meet_whatever_their_separators_and_width():
    assert tokenize("1,234.50") == tokenize("1234.5") == tokenize("１，２３４.５") == ["1234.5"]
    assert normalise_number("2,000") == "2000" and normalise_number("0.250") == "0.25"
    assert tokenize("(10.9%) 2023年") == ["10.9", "2023", "年"]


def test_mixed_text_keeps_the_order_of_its_scripts():
    assert tokenize("EBITDA为12.5亿元") == ["ebitda", "12.5", "亿元"]


def test_word_pairs_join_neighbouring_english_stems_only():
    tokens = tokenize("net cash provided by operating activities 营业收入 total assets")
    assert word_pairs(tokens) == [
        "net_cash", "cash_provid", "provid_oper", "oper_activ", "total_asset",
    ]  # fmt: skip
