import random
import re

import pytest

from domainsft.ingest.clean import clean_text

FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


@pytest.mark.parametrize("ocr", [False, True])
@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("１２３，４５６．７８", "123,456.78"),
        ("营业收入（１２３）元", "营业收入(123)元"),
        ("（1,234.50）", "(1,234.50)"),
        ("－5", "-5"),
        ("−12.5", "-12.5"),
        ("＋3.2", "+3.2"),
        ("增长 12％", "增长 12%"),
        ("12 ％", "12 %"),
        ("1\u2009647\u2009392.15", "1647392.15"),  # thin space: the SI thousands separator
        ("1\u202f647", "1647"),
    ],
)
def test_full_width_and_thin_space_inside_numbers(raw: str, want: str, ocr: bool) -> None:
    assert clean_text(raw, ocr=ocr) == want


@pytest.mark.parametrize(
    "text",
    [
        "增减（%）",  # full-width parentheses around no number stay
        "第一季度（1-3 月份）",
        "第1，2季度",  # a full-width comma that is no thousands separator stays on a text layer
        "公司简称：四方科技，股票代码：603339",
        "％ 单独出现",
        "Revenue rose 12% to $1,234.5 million in 2019.",
    ],
)
def test_text_layer_leaves_ordinary_text_alone(text: str) -> None:
    assert clean_text(text, ocr=False) == text


@pytest.mark.parametrize("text", ["1 647", "1 647 392.15", "1,O47", "2l.5", "2Ol9年", "1，O47"])
def test_text_layer_numbers_are_never_altered(text: str) -> None:
    assert clean_text(text, ocr=False) == text


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("1 647", "1647"),
        ("合计 1 647 392.15 元", "合计 1647392.15 元"),
        ("1,O47", "1,047"),
        ("2l.5", "21.5"),
        ("1，O47", "1,047"),
        ("1，234", "1,234"),
        ("2Ol9年", "2019年"),
        ("l0.5%", "10.5%"),
        ("Total 3,4I2", "Total 3,412"),
    ],
)
def test_ocr_fixes_numbers(raw: str, want: str) -> None:
    assert clean_text(raw, ocr=True) == want


@pytest.mark.parametrize(
    "text",
    [
        "2019 2018 2017",  # years in a table header are separate numbers
        "5 / 156",
        "0.62 088",  # a decimal is not a thousands group
        "12 3456",  # the following group is not exactly three digits
        "123|456",  # a table rule between two cells
        "No.1 Iol",
        "Item I and II",
        "OIL 10 barrels",
        "3S 500",  # S is never treated as 5
    ],
)
def test_ocr_leaves_non_numbers_alone(text: str) -> None:
    assert clean_text(text, ocr=True) == text


def test_ocr_token_glued_to_letters_is_a_code_not_a_number() -> None:
    assert clean_text("ModelX1O2", ocr=True) == "ModelX1O2"


@pytest.mark.parametrize("ocr", [False, True])
@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("the finan-\ncial statements", "the financial statements"),
        ("Finan-\r\ncial", "Financial"),
        ("re-\n  port", "report"),
        ("soft\u00ad\nhyphen", "softhyphen"),
        ("well-\nknown", "well-known"),  # compound heads keep their hyphen
        ("non-\r\ncurrent assets", "non-current assets"),
        ("long-\nterm debt", "long-term debt"),
        ("COVID-\n19", "COVID-\n19"),  # digits after the break: left as printed
        ("Annual-\nReport", "Annual-\nReport"),  # a capital after the break: left as printed
        ("3rd-\nparty", "3rd-\nparty"),  # not a whole word before the hyphen
        ("2019-\n2020", "2019-\n2020"),
        ("mid-line - dash", "mid-line - dash"),
    ],
)
def test_dehyphenation(raw: str, want: str, ocr: bool) -> None:
    assert clean_text(raw, ocr=ocr) == want


def test_chinese_page_with_figures_is_unchanged_on_text_layer() -> None:
    page = (
        "主要会计数据 2019年 2018年\r\n"
        "营业收入 1,175,301,034.32 1,230,537,181.80 -4.49 1,008,714,515.86\r\n"
        "归属于上市公司股东\r\n的净利润 129,465,020.68 182,223,387.13 -28.95\r\n"
        "5 / 156\r\n"
    )
    assert clean_text(page, ocr=False) == page


_ALPHABET = "0123456789０１２３４５６７８９OolIS|,.，．－−＋％（） \u2009\u202f\n-abcXY年元"


@pytest.mark.parametrize("seed", range(5))
def test_text_layer_digit_sequence_is_invariant(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(400):
        raw = "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 40)))
        out = clean_text(raw, ocr=False)
        assert re.findall(r"[0-9]", out) == re.findall(r"[0-9]", raw.translate(FULLWIDTH)), raw


@pytest.mark.parametrize("seed", range(3))
def test_cleaning_is_idempotent(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(300):
        raw = "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 40)))
        for ocr in (False, True):
            once = clean_text(raw, ocr=ocr)
            assert clean_text(once, ocr=ocr) == once, (raw, ocr)
