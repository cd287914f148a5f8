import numpy as np
import pytest

from domainsft.utils.minhash import NearDuplicateIndex, lsh_params

NOTICE_ZH = (
    "重要提示\n一、本公司董事会、监事会及董事、监事、高级管理人员保证年度报告内容的真实性、准确性、"
    "完整性，不存在虚假记载、误导性陈述或重大遗漏，并承担个别和连带的法律责任。\n"
    "二、公司全体董事出席董事会会议。\n三、天健会计师事务所（特殊普通合伙）为本公司出具了标准"
    "无保留意见的审计报告。\n四、公司负责人、主管会计工作负责人及会计机构负责人声明：保证年度"
    "报告中财务报告的真实、准确、完整。\n五、前瞻性陈述的风险声明：本报告所涉及的未来计划、发展"
    "战略等前瞻性描述不构成公司对投资者的实质承诺，敬请投资者注意投资风险。\n"
)
NOTICE_EN = (
    "Forward-looking statements. This annual report contains forward-looking statements within "
    "the meaning of the Private Securities Litigation Reform Act. Words such as anticipate, "
    "believe, expect and intend identify such statements, which involve risks and uncertainties "
    "that could cause actual results to differ materially from those expressed or implied. We "
    "undertake no obligation to update any forward-looking statement.\n"
)
TABLE = "".join(
    f"项目{i} 本期金额 {1000 + i * 37:,}.{i:02d} 上期金额 {2000 + i * 53:,}.{i:02d}\n"
    for i in range(40)
)


def test_identical_pages_are_flagged() -> None:
    index = NearDuplicateIndex()
    assert index.add("a:1", TABLE) is None
    assert index.add("b:7", TABLE) == "a:1"


@pytest.mark.parametrize("notice", [NOTICE_ZH, NOTICE_EN])
def test_boilerplate_repeated_across_reports(notice: str) -> None:
    index = NearDuplicateIndex()
    assert index.add("report2019:2", "2019 年年度报告\n" + notice) is None
    assert index.add("other:5", TABLE) is None
    # the same notice in another report, extracted with different spacing and line breaks
    respaced = notice.replace("\n", " \n").replace("，", "， ")
    assert index.add("report2019-b:2", "2019 年年度报告\n" + respaced) == "report2019:2"


def test_near_duplicate_with_changed_wording_is_flagged() -> None:
    index = NearDuplicateIndex()
    index.add("a", NOTICE_ZH + NOTICE_EN)
    edited = (NOTICE_ZH + NOTICE_EN).replace("敬请投资者注意", "请投资者注意")
    assert index.add("b", edited) == "a"


def test_pages_whose_figures_differ_are_not_duplicates() -> None:
    index = NearDuplicateIndex()
    index.add("2019", TABLE)
    assert index.add("2020", TABLE.replace("1,037.01", "1,038.01")) is None
    assert index.add("moved", TABLE.replace("项目1 ", "项目 1 ")) == "2019"  # same figures


def test_unrelated_and_short_texts_are_not_flagged() -> None:
    index = NearDuplicateIndex()
    index.add("zh", NOTICE_ZH)
    assert index.add("en", NOTICE_EN) is None
    assert index.add("s1", "□适用 √不适用") is None
    assert index.add("s2", "□适用 √不适用") is None  # short: never flagged
    assert len(index) == 2


def test_duplicates_point_at_the_first_page_and_are_not_indexed() -> None:
    index = NearDuplicateIndex()
    index.add("first", NOTICE_EN)
    assert index.add("second", NOTICE_EN) == "first"
    assert index.add("third", NOTICE_EN + " ") == "first"
    assert len(index) == 1


def test_signatures_are_deterministic_and_estimate_jaccard() -> None:
    a, b = NearDuplicateIndex(), NearDuplicateIndex()
    assert np.array_equal(a.signature(NOTICE_ZH), b.signature(NOTICE_ZH))
    assert a.signature(NOTICE_ZH).shape == (64,)
    same = np.mean(a.signature(NOTICE_ZH) == a.signature(NOTICE_ZH + NOTICE_ZH[:40]))
    other = np.mean(a.signature(NOTICE_ZH) == a.signature(NOTICE_EN))
    assert same > 0.8 and other < 0.1


def test_lsh_params() -> None:
    bands, rows = lsh_params(0.9, 64)
    assert bands * rows <= 64
    # a pair at the threshold becomes a candidate with high probability
    assert 1 - (1 - 0.9**rows) ** bands > 0.75
    with pytest.raises(ValueError):
        NearDuplicateIndex(threshold=0)
