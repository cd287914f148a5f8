"""The matcher: every printed form, Chinese and English, positive and negative."""

from __future__ import annotations

import pytest

from domainsft.eval import match_answer, normalise_text, page_score, parse_gold, read_boolean
from domainsft.eval.pages import parse_pools
from domainsft.utils.jsonl import InputError


def verdict(output: str, mode: str = "strict", **gold) -> tuple[str, str]:
    m = match_answer(output, parse_gold({"id": "q", **gold}, "gold.jsonl:1"), mode)
    return m.verdict, m.reason


@pytest.mark.parametrize(
    ("output", "gold"),
    [
        ("1,175,301,034.32元", {"answer": "1,175,301,034.32元"}),
        ("营业收入为11.75亿元。", {"answer": "11.75亿元"}),
        ("1,175,301,034.32元", {"answer": "11.75亿元"}),  # compared at the gold's 0.01亿
        ("117,530.10万元", {"answer": 117530.1, "unit": "万元"}),
        ("$1,577 million", {"answer": 1577, "unit": "million"}),
        ("1.577 billion", {"answer": 1577, "unit": "million"}),
        ("Revenue was US$1,577 million.", {"answer": "1,577,000,000", "unit": "USD"}),
        ("(10.9%)", {"answer": -10.9, "unit": "%"}),
        ("−4.49%", {"answer": "-4.49%"}),
        ("25.65 %", {"answer": 25.65, "unit": "percent"}),
        ("12.35 percent", {"answer": "12.35%"}),
        ("１２．５％", {"answer": "12.5%"}),
        ("１，２３４万元", {"answer": "1234万元"}),
        ("百分之二十", {"answer": "20%"}),
        ("毛利率为百分之二十点五", {"answer": 20.5, "unit": "%"}),
        ("0.2", {"answer": "20%"}),  # a fraction against a percent gold
        ("12%", {"answer": 0.12}),  # a percentage against a unitless ratio
        ("12.3456%", {"answer": 12.35, "unit": "%", "decimals": 2}),
        ("营业收入同比下降10.9%", {"answer": -10.9, "unit": "%"}),
        ("revenue decreased by 10.9%", {"answer": -10.9, "unit": "%"}),
        ("a loss of $(9.8) million", {"answer": "-9.8", "unit": "million"}),
        ("2019年营业收入为11.75亿元（见第5页）。", {"answer": "11.75亿元"}),
        ("In 2019 revenue was $1,577 million, see page 45.", {"answer": 1577, "unit": "million"}),
        ("1. 营业收入：12.3亿元", {"answer": "12.3亿元"}),
        ("(1) Revenue: $12.3 million", {"answer": 12.3, "unit": "million"}),
        ("增长率 = (13.2 − 11.75) / 11.75 × 100% = 12.34%", {"answer": 12.34, "unit": "%"}),
        ("2022 revenue 10, 2023 revenue 12. Answer: 20%", {"answer": "20%"}),
        ("因此，净利润为3.2亿元", {"answer": "3.2亿元"}),
        ("2019", {"answer": 2019}),  # a lone number is the answer, even if it looks like a year
        ("员工人数为1,024人", {"answer": 1024}),
    ],
)
def test_correct(output, gold):
    assert verdict(output, **gold) == ("correct", "")


@pytest.mark.parametrize(
    ("output", "gold", "reason"),
    [
        ("11.75万元", {"answer": "11.75亿元"}, "scale"),
        ("-11.75亿元", {"answer": "11.75亿元"}, "sign"),
        ("11.8亿元", {"answer": "11.75亿元"}, "precision"),
        ("营业收入为11.75亿元", {"answer": 1175301034.32, "unit": "元"}, "precision"),
        ("12.4亿元", {"answer": "11.75亿元"}, "value"),
        ("$12.3 million", {"answer": "12.3亿元"}, "unit"),  # USD vs CNY
        ("12.35亿元", {"answer": 12.35, "unit": "%"}, "unit"),
        ("20", {"answer": "20%"}, "scale"),  # a bare 20 is read as the fraction 2000%
        ("$1,577 thousand", {"answer": 1577, "unit": "million"}, "scale"),
        ("1,577", {"answer": 1577, "unit": "million"}, "scale"),  # the scale is not implied
        ("(10.9%)", {"answer": 10.9, "unit": "%"}, "sign"),
        ("12.4%", {"answer": 12.35, "unit": "%", "decimals": 2}, "precision"),
        ("12.3%", {"answer": 12.35, "unit": "%", "decimals": 2}, "value"),
    ],
)
def test_wrong_with_reason(output, gold, reason):
    assert verdict(output, **gold) == ("wrong", reason)


@pytest.mark.parametrize(
    ("output", "reason"),
    [
        ("", "no number"),
        ("见第5页", "no number"),  # a page reference is not an answer
        ("See page 5.", "no number"),
        ("2019年年度报告", "no number"),  # a year is not an answer
        ("In FY2019 and 2020 the company grew.", "no number"),
        ("无法回答：报告未披露该数据。", "declined"),
        ("N/A", "declined"),
    ],
)
def test_unparseable_is_not_wrong(output, reason):
    assert verdict(output, answer="11.75亿元") == ("unparseable", reason)


def test_wrong_answer_notes_gold_elsewhere():
    gold = parse_gold({"id": "q", "answer": "11.75亿元"}, "g:1")
    m = match_answer("答案：12亿元（上年为11.75亿元）", gold)
    assert (m.verdict, m.gold_elsewhere) == ("wrong", True)


def test_erc_mode_is_one_percent_relative():
    gold = {"answer": "406100000.0"}
    assert verdict("$406.1 million", "erc", **gold)[0] == "correct"
    assert verdict("$404 million", "erc", **gold)[0] == "correct"  # 0.5 % off
    assert verdict("$404 million", "strict", **gold)[0] == "wrong"
    assert verdict("$400 million", "erc", **gold)[0] == "wrong"  # 1.5 % off


def test_erc_mode_reads_a_percentage_in_points_against_a_unitless_gold():
    # The challenge's gold for a ratio printed "0.25%" is 0.25; 0.0025 still matches as well.
    assert verdict("NPL ratio: 0.25% (p. 2)", "erc", answer="0.25")[0] == "correct"
    assert verdict("NPL ratio: 0.25% (p. 2)", "erc", answer="0.0025")[0] == "correct"
    assert verdict("NPL ratio: 0.25% (p. 2)", "strict", answer="0.25")[0] == "wrong"
    assert verdict("NPL ratio: 0.30% (p. 2)", "erc", answer="0.25")[0] == "wrong"


@pytest.mark.parametrize(
    ("output", "gold", "expected"),
    [
        ("Yes, it did.", True, "correct"),
        ("True", "True", "correct"),
        ("No.", "True", "wrong"),
        ("是，公司宣布了回购计划。", "是", "correct"),
        ("否，报告未提及。", True, "wrong"),
        ("不是", "否", "correct"),
        ("The report says nothing about it", True, "unparseable"),
    ],
)
def test_booleans(output, gold, expected):
    assert verdict(output, answer=gold)[0] == expected


@pytest.mark.parametrize(
    ("output", "gold", "expected"),
    [
        ("John Smith", "John Smith", "correct"),
        ("The CEO is John Smith.", "John Smith", "correct"),
        ("Ｊｏｈｎ　Ｓｍｉｔｈ。", "john smith", "correct"),
        ("The CEO is Jane Smith.", "John Smith", "wrong"),
        ("John Smithson", "John Smith", "wrong"),
        ("董事长为张三。", "张三", "correct"),
        ("", "张三", "unparseable"),
        ("N/A", "N/A", "correct"),
        ("报告未披露该数据", "N/A", "correct"),
        ("$1.2 million", "N/A", "wrong"),
    ],
)
def test_text_and_not_available(output, gold, expected):
    assert verdict(output, answer=gold)[0] == expected


def test_list_gold_needs_every_item():
    gold = {"answer": ["President", "Chief Executive Officer"]}
    assert verdict("President and Chief Executive Officer", **gold)[0] == "correct"
    assert verdict("President", **gold)[0] == "wrong"
    assert verdict("2019: 1.2亿元; 2020: 1.5亿元", answer=["1.2亿元", "1.5亿元"])[0] == "correct"


def test_normalise_text_and_read_boolean():
    assert normalise_text("The  Board of Directors.") == "board of directors"
    assert read_boolean("Yes") is True and read_boolean("false") is False
    assert read_boolean("未披露") is False and read_boolean("maybe") is None


def test_page_score_follows_the_challenge_rule():
    pools = parse_pools([["abc:4", "abc:5"], ["abc:9"]], "g:1")
    assert page_score([("abc", 5), ("abc", 9)], pools)["score"] == 1.0
    assert page_score([("abc", 5)], pools) == {"score": 0.75, "extra": 0, "missed": 1}
    assert page_score([(None, 5), (None, 9), (None, 30)], pools)["score"] == 0.9
    assert page_score([], ())["score"] == 1.0
    assert page_score([(None, 1)] * 1 + [(None, i) for i in range(2, 12)], ())["score"] == 0.0


@pytest.mark.parametrize(
    ("gold", "fragment"),
    [
        ({"id": "q"}, 'no "answer"'),
        ({"id": "q", "answer": 1, "unit": "furlongs"}, 'unknown "unit"'),
        ({"id": "q", "answer": 1, "decimals": "two"}, '"decimals" must be an integer'),
        ({"id": "q", "answer": []}, "empty list"),
        ({"id": "q", "answer": 1, "pages": ["abc:x"]}, "bad page reference"),
    ],
)
def test_bad_gold_names_the_line(gold, fragment):
    with pytest.raises(InputError, match=r"gold\.jsonl:7") as err:
        parse_gold(gold, "gold.jsonl:7")
    assert fragment in str(err.value)


@pytest.mark.parametrize(
    ("output", "said"),
    [
        ("That is not correct. The report gives 5.", False),
        ("Incorrect. The report gives revenue of 5.", False),
        ("No: according to the annual report, it was 5.", False),
        ("Right, revenue was $5 million (p. 3).", True),
        ("Yes, that is accurate: revenue was 5.", True),
        ("该说法有误：根据年报，营业收入为5亿元。", False),
        ("该说法属实：根据年报，营业收入为5亿元。", True),
        ("不对，营业收入应为5亿元。", False),
        ("正确。营业收入为5亿元。", True),
    ],
)
def test_claim_verdicts_in_the_first_clause(output, said):
    assert read_boolean(output) is said


@pytest.mark.parametrize(
    "output",
    [
        "The FY2023 report of Acme gives no figure for deposits; I cannot answer without guessing.",
        "Acme's FY2021 report does not state the net interest margin, so I cannot provide it.",
        "FY2019 is not covered by Acme's reports at hand (FY2020-2023), so I cannot answer.",
        "根据现有的甲公司2021年年报，找不到存款的数据，无法作答，也不宜推测。",
        "甲公司2022年年报未列示利息净收入，我无法从报告中给出该数字。",
    ],
)
def test_refusals_count_as_not_available(output):
    assert match_answer(output, parse_gold({"id": "n", "answer": "N/A"}, "g")).verdict == "correct"


def test_a_decrease_of_reads_as_negative_growth():
    gold = parse_gold({"id": "y", "answer": "-58.70%"}, "g")
    assert match_answer("Answer: a decrease of 58.70%.", gold).verdict == "correct"
    assert match_answer("Answer: an increase of 58.70%.", gold).reason == "sign"
