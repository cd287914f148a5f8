"""Pages built in the test, a written corpus folder, and the real corpora the recall tests use."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from domainsft.records import Page

DOC_A, DOC_B = "a" * 64, "b" * 64


def page(n: int, text: str, doc: str = DOC_A, lang: str = "en") -> Page:
    return Page(doc_id=doc, source=f"{doc[:4]}.pdf", page=n, text=text, lang=lang)


def write_corpus(folder: Path, pages: list[Page]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(p.to_dict(), ensure_ascii=False) for p in pages]
    (folder / "pages.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


EN_PAGES = [
    "Report of the directors. The company is a leading provider.",
    "Net cash provided by operating activities was $406.1 million.",
    "The company acquired two businesses during the year (acquisitions).",
    "Cash flow hedges protect our operations from currency risk.",
]
ZH_PAGES = [
    "鼎拓生物医药股份有限公司\n2023年年度报告",
    "合并利润表\n营业收入 607,045.55 610,709.81\n营业成本 411,151.95 412,656.62",
    "合并资产负债表\n资产总计 837,518.18 800,565.89\n负债合计 237,481.66 242,217.71",
    "合并现金流量表\n经营活动产生的现金流量净额 91,423.57 88,486.82",
]


@pytest.fixture
def bilingual() -> list[Page]:
    """Report A in English, report B in Chinese."""
    en = [page(i + 1, t) for i, t in enumerate(EN_PAGES)]
    zh = [page(i + 1, t, doc=DOC_B, lang="zh") for i, t in enumerate(ZH_PAGES)]
    return en + zh
