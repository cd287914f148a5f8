from pathlib import Path

import pytest

from domainsft.ingest.lang import GARBLED_THRESHOLD, detect_lang, garbled_score, is_garbled

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
SIFANG = DATA / "reports" / "zh" / "cn_603339_sifang_2019_annual_report.pdf"
THREE_M = DATA / "reports" / "en" / "financebench" / "3M_2018_10K.pdf"

ZH = "报告期内，公司实现营业收入 117,530.10 万元，较去年同期减少 4.49%。"
EN = "Net sales were $32.8 billion in 2018, up 3.5% from the prior year."


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (ZH, "zh"),
        (EN, "en"),
        ("四方香港 指 NTTANK(HK)LIMITED，公司的外文名称 SQUARE TECHNOLOGY GROUP CO.,LTD", "zh"),
        (EN * 5 + " Our subsidiary 四方科技 is listed in Shanghai.", "en"),
        ("1,175,301,034.32 1,230,537,181.80 -4.49", "und"),
        ("", "und"),
        ("5 / 156", "und"),
    ],
)
def test_detect_lang(text: str, lang: str) -> None:
    assert detect_lang(text) == lang


@pytest.mark.parametrize(
    "text", [ZH, EN, ZH + "\n" + EN, "", "   \n", "■ 适用 □不适用 ........ 12"]
)
def test_clean_text_is_not_garbled(text: str) -> None:
    assert garbled_score(text) < 0.05
    assert not is_garbled(text)


GARBAGE = {
    "private use": "\ue01a\ue02b\ue11f\ue0a0 \ue033\ue044",
    "replacement": "\ufffd\ufffd\ufffd年\ufffd报\ufffd\ufffd",
    "controls": "\x01\x02\x03\x04\x05\x06年报",
    "kangxi radicals": "⼀⼆⼈⼉⼊⼋⼑⼒",
    "cid": "(cid:123)(cid:45)(cid:678) (cid:9)",
    "mojibake utf-8 as latin-1": "年度报告营业收入".encode().decode("latin-1"),
    "mojibake utf-8 as cp1252": "It’s ‘quoted’ — text…".encode().decode("cp1252"),
    "mojibake gbk as latin-1": "年度报告营业收入".encode("gbk").decode("latin-1"),
    "symbol soup": '!"#$%&\'()+/:;<>?@[]^`{|}~!"#$%&',
}


@pytest.mark.parametrize("name", sorted(GARBAGE))
def test_synthetic_garbage_is_garbled(name: str) -> None:
    assert is_garbled(GARBAGE[name]), (name, garbled_score(GARBAGE[name]))


def test_score_is_a_share() -> None:
    half = ZH + "\ue000" * 8
    assert 0 < garbled_score(half) < 1
    assert garbled_score("\ue000" * 50) == 1.0
    assert is_garbled(half, threshold=0.1) != is_garbled(half, threshold=0.9)
    assert 0 < GARBLED_THRESHOLD < 1


def _page(path: Path, index: int) -> str:
    if not path.exists():
        pytest.skip(f"real reports not available at {DATA}")
    pdfium = pytest.importorskip("pypdfium2")
    return pdfium.PdfDocument(path)[index].get_textpage().get_text_range()


def test_real_chinese_page() -> None:
    page = _page(SIFANG, 4)
    assert detect_lang(page) == "zh"
    assert garbled_score(page) < 0.01 and not is_garbled(page)


def test_real_english_page() -> None:
    page = _page(THREE_M, 0)
    assert detect_lang(page) == "en"
    assert not is_garbled(page)
