"""Ingest on the real annual reports in ../shared/data/reports (read in place, never copied)."""

from __future__ import annotations

import pytest

from domainsft.config import IngestConfig
from domainsft.ingest.pipeline import ingest
from tests.conftest import shared_or_skip

pytestmark = pytest.mark.slow

SIFANG = "cn_603339_sifang_2019_annual_report.pdf"
JINYU = "cn_600201_jinyu_2020_annual_report.pdf"
PINGAN = "cn_000001_pingan_bank_2024_annual_report.pdf"


@pytest.fixture(scope="module")
def zh_pages(tmp_path_factory):
    folder = shared_or_skip("reports", "zh")
    out = tmp_path_factory.mktemp("zh")
    result = ingest([folder], IngestConfig(out=out, workers=2))
    assert result.rejects == []
    return {(p.source.rsplit("/", 1)[-1], p.page): p for p in result.pages}


def _row(page, label):
    for table in page.tables:
        for row in table:
            if row and row[0] == label:
                return row
    raise AssertionError(f"no table row labelled {label!r} on page {page.page}")


def test_sifang_key_figures_in_text_and_rows(zh_pages):
    p = zh_pages[(SIFANG, 5)]
    assert "营业收入 1,175,301,034.32 1,230,537,181.80 -4.49 1,008,714,515.86" in p.text
    assert _row(p, "营业收入")[1:] == [
        "1,175,301,034.32",
        "1,230,537,181.80",
        "-4.49",
        "1,008,714,515.86",
    ]
    assert _row(p, "归属于上市公司股东的净利润")[1] == "129,465,020.68"
    assert _row(p, "归属于上市公司股东的扣除非经常性损益的净利润")[1] == "129,188,735.59"
    assert _row(p, "经营活动产生的现金流量净额")[1] == "369,100,908.49"
    assert _row(p, "总资产")[1] == "2,464,948,703.85"
    assert p.lang == "zh" and not p.flags["ocr"]


def test_pingan_key_figures_in_millions(zh_pages):
    p = zh_pages[(PINGAN, 16)]
    assert "（货币单位：人民币百万元）" in p.text
    assert _row(p, "营业收入")[1:4] == ["146,695", "164,699", "(10.9%)"]
    assert _row(p, "归属于本行股东的净利润")[1:3] == ["44,508", "46,455"]
    assert _row(p, "资产总额")[1] == "5,769,270"


def test_jinyu_key_figures(zh_pages):
    p5, p6 = zh_pages[(JINYU, 5)], zh_pages[(JINYU, 6)]
    assert _row(p5, "主要会计数据")[1:] == ["2020年", "2019年", "本期比上年同期增减(%)", "2018年"]
    assert _row(p5, "营业收入")[1:] == [
        "1,581,905,632.48",
        "1,126,782,253.35",
        "40.39",
        "1,896,608,630.19",
    ]
    assert _row(p5, "经营活动产生的现金流量净额")[1] == "699,612,782.08"
    # The table runs over the page break: its last rows are on page 6.
    assert _row(p6, "总资产")[1:3] == ["6,278,282,683.24", "5,585,879,172.02"]
    assert _row(p6, "基本每股收益（元／股）")[1:3] == ["0.36", "0.20"]


def test_headers_and_footers_are_gone(zh_pages):
    for (name, number), p in zh_pages.items():
        lines = p.text.splitlines()
        if name == SIFANG:
            assert number == 1 or "2019年年度报告" not in lines, number  # 1: the cover title
            assert f"{number} / 156" not in lines, number
    assert "5 / 156" in zh_pages[(SIFANG, 5)].removed_lines
    assert "2019年年度报告" in zh_pages[(SIFANG, 5)].removed_lines
    p16 = zh_pages[(PINGAN, 16)]
    assert {"平安银行股份有限公司", "2024年年度报告", "15"} <= set(p16.removed_lines)
    assert p16.text.startswith("第二章会计数据和财务指标\n2.1关键指标")
    pingan = [p for (name, _), p in zh_pages.items() if name == PINGAN]
    with_header = [p for p in pingan if "平安银行股份有限公司" in p.removed_lines]
    assert len(with_header) >= 0.8 * len(pingan)


def test_all_real_reports_ingest_without_reject(tmp_path):
    folder = shared_or_skip("reports")
    result = ingest([folder], IngestConfig(out=tmp_path, workers=2))
    assert result.stats["files"] == 55
    assert result.rejects == [], [r.reason for r in result.rejects]
    assert result.stats["pages"] > 5000
    # Every page is accounted for: numbered 1..n per document, none silently dropped.
    by_doc: dict[str, list[int]] = {}
    for p in result.pages:
        by_doc.setdefault(p.doc_id, []).append(p.page)
    assert all(pages == list(range(1, len(pages) + 1)) for pages in by_doc.values())
