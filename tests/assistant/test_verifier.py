"""The numeric verifier on hand-made answers: each status, corrections, policies."""

from __future__ import annotations

import pytest

from domainsft.assistant.evidence import Evidence
from domainsft.assistant.verifier import verify
from domainsft.evidence import Passage
from domainsft.records import Fact


def fact(metric: str, year: int, value: str, printed: str, page: int, **kw) -> Fact:
    unit = kw.pop("unit", "CNY")
    return Fact(
        fact_id=f"d:{metric}:{year}", doc_id="d" * 64, source="r.pdf",
        company="四方科技集团股份有限公司", company_short="四方科技", stock_code="603339",
        report_year=2023, fiscal_year=year,
        period="year", period_end="", metric=metric, label=metric, value=value, unit=unit,
        scale=kw.pop("scale", "元"), printed=printed, statement="key_figures",
        scope="consolidated", page=page, table=0, row=1, col=1, evidence=f"{metric} {printed}",
        confidence=1.0, lang="zh",
    )  # fmt: skip


EVIDENCE = Evidence(
    facts=[
        fact("revenue", 2023, "1234567890.12", "1,234,567,890.12", 5),
        fact("revenue", 2022, "1100000000.00", "1,100,000,000.00", 5),
        fact("net_profit", 2023, "98765432.10", "98,765,432.10", 6),
    ]
)


def statuses(v) -> list[tuple[str, str]]:
    return [(n.printed, n.status) for n in v.numbers]


def test_the_seed_example_comes_out_corrected() -> None:
    answer = "研发支出 1 647 亿元，总收入 6 423 亿元，研发投入占比 = 1 647 ÷ 6 423 × 100% ≈ 25.65%"
    v = verify(answer, Evidence())
    assert v.text.endswith("≈ 25.64%") and v.text.startswith("研发支出 1 647 亿元")
    (last,) = [n for n in v.numbers if n.status == "corrected"]
    assert last.printed == "25.65%" and last.to_dict()["original"] == "25.65%"
    assert not v.verified


def test_a_lookup_is_verified_with_its_page_at_the_printed_precision() -> None:
    v = verify("四方科技2023年营业收入为12.35亿元（第5页）。", EVIDENCE, years=[2023])
    assert statuses(v) == [("12.35亿元", "verified")]
    assert v.numbers[0].source.page == 5 and v.verified
    assert v.numbers[0].to_dict() == {
        "value": "1235000000", "unit": "CNY", "status": "verified", "page": 5, "original": None,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("wrong", "right"),
    [
        ("12.53亿元", "12.35亿元"),  # a digit
        ("12.35万元", "123,456.79万元"),  # the scale: 万 for 亿, corrected in the answer's scale
        ("11.00亿元", "12.35亿元"),  # the prior year's figure
    ],
)
def test_a_figure_contradicting_its_fact_is_corrected(wrong: str, right: str) -> None:
    v = verify(f"2023年营业收入为{wrong}。", EVIDENCE, years=[2023])
    assert v.text == f"2023年营业收入为{right}。", v.numbers
    assert v.numbers[0].status == "corrected" and v.numbers[0].source.page == 5


def test_years_pages_and_the_questions_own_figures_are_not_figures() -> None:
    question = "有人说四方科技2023年营业收入为10亿元，对吗？"
    v = verify(
        "不对：2023年营业收入为12.35亿元，而不是10亿元（第5页）。", EVIDENCE, question, [2023]
    )
    assert statuses(v) == [("12.35亿元", "verified")]


def test_shown_arithmetic_and_growth() -> None:
    answer = (
        "营业收入同比增长 = (1,234,567,890.12 − 1,100,000,000.00) ÷ 1,100,000,000.00 × 100% "
        "= 12.23%。即营业收入同比增长12.23%。"
    )
    v = verify(answer, EVIDENCE, years=[2023])
    assert [n.status for n in v.numbers] == ["verified", "verified", "verified", "recomputed",
                                             "recomputed"]  # fmt: skip
    wrong = verify(answer.replace("12.23%。即", "12.32%。即"), EVIDENCE, years=[2023])
    assert "= 12.23%" in wrong.text and wrong.numbers[3].status == "corrected"


def test_a_growth_rate_tied_to_its_metric_is_held_to_the_facts() -> None:
    v = verify("2023年营业收入同比增长12.5%。", EVIDENCE, years=[2023])
    assert v.text == "2023年营业收入同比增长12.2%。" and v.numbers[0].status == "corrected"


def test_a_change_in_amount_after_a_growth_cue_is_held_to_the_two_years():
    right = "2023年营业收入较上年增加134,567,890.12元。"
    v = verify(right, EVIDENCE, years=[2023])
    assert statuses(v) == [("134,567,890.12元", "recomputed")] and v.text == right
    fell = verify("2023年营业收入较上年减少134,567,890.12元。", EVIDENCE, years=[2023])
    assert fell.numbers[0].status == "recomputed"  # the size of the change, said in words
    wrong = verify("2023年营业收入较上年增加143,567,890.12元。", EVIDENCE, years=[2023])
    assert wrong.numbers[0].status == "corrected" and "134,567,890.12" in wrong.text


def test_passages_back_figures_of_unscaled_tables() -> None:
    ev = Evidence(passages=[Passage("e" * 64, 7, "Revenue 795.1 742.0\n(in millions)")])
    v = verify("Revenue was $795.1 million (p. 7).", ev)
    assert statuses(v) == [("$795.1 million", "verified")] and v.numbers[0].source.page == 7


@pytest.mark.parametrize("policy", ["flag", "remove", "refuse"])
def test_unverified_policies(policy: str) -> None:
    answer = "2023年营业收入为12.35亿元。员工人数为4,321人。"
    v = verify(answer, EVIDENCE, years=[2023], on_unverified=policy)
    assert [n.status for n in v.numbers] == ["verified", "unverified"]
    expected = {"flag": answer, "remove": "2023年营业收入为12.35亿元。", "refuse": ""}[policy]
    assert v.text == expected and v.refused == (policy == "refuse")
    with pytest.raises(ValueError, match="on_unverified"):
        verify(answer, EVIDENCE, on_unverified="ignore")


def test_a_misprinted_digit_group_is_no_figure_and_not_verified() -> None:
    # A looping answer printed "7,52": the 52 must not be read out of it and found on a page
    # that happens to print 52, and the answer is not marked verified.
    ev = Evidence(passages=[Passage("e" * 64, 13, "Employees 52\nRevenue 242,000,000")])
    v = verify("Revenue was 242,000,000 7,52 (p. 13).", ev)
    assert statuses(v) == [("242,000,000", "verified"), ("7,52", "unverified")]
    assert v.numbers[1].reason == "a misprinted number" and not v.verified
    assert verify("Revenue was 242,000,000 7,52.", ev, on_unverified="remove").text == ""
