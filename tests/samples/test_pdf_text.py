"""What the truth files claim is really on the pages."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from domainsft.samples import format_change


@pytest.fixture(scope="module")
def page_text(corpus: dict[str, Any]):
    out: Path = corpus["out"]

    @cache
    def text(doc: str, page: int) -> str:
        pdf = pdfium.PdfDocument(out / doc)
        try:
            return pdf[page - 1].get_textpage().get_text_range()
        finally:
            pdf.close()

    return text


def test_printed_strings_are_on_their_page(corpus: dict[str, Any], page_text) -> None:
    unscanned = [f for f in corpus["facts"] if not f["scanned"]]
    assert len(unscanned) > 200
    for f in unscanned:
        assert f["printed"] in page_text(f["doc"], f["page"]), f["fact_id"]
    for p in corpus["pii"]:
        if not p["scanned"]:
            assert p["value"] in page_text(p["doc"], p["page"]), p


def test_scanned_pages_are_images_without_text(corpus: dict[str, Any], page_text) -> None:
    for doc in corpus["manifest"]["docs"]:
        assert len(doc["scanned_pages"]) == corpus["cfg"].scanned_pages
        pdf = pdfium.PdfDocument(corpus["out"] / doc["file"])
        try:
            for number in doc["scanned_pages"]:
                assert page_text(doc["file"], number).strip() == ""
                kinds = [obj.type for obj in pdf[number - 1].get_objects()]
                assert kinds == [pdfium_c.FPDF_PAGEOBJ_IMAGE]
        finally:
            pdf.close()
    scanned_facts = [f for f in corpus["facts"] if f["scanned"]]
    assert scanned_facts, "scans should be chosen among pages that carry figures"


def test_headers_footers_and_continued_tables(corpus: dict[str, Any], page_text) -> None:
    for doc in corpus["manifest"]["docs"]:
        assert 15 <= doc["n_pages"] <= 30
        assert doc["continued_pages"], "a statement should continue over a page break"
        assert page_text(doc["file"], 1).count(doc["header"]) == 0  # the cover has none
        for number in range(2, doc["n_pages"] + 1):
            if number in doc["scanned_pages"]:
                continue
            text = page_text(doc["file"], number)
            assert doc["header"] in text
            assert str(number) in text.splitlines()[-1]  # the footer is the last line
        marker = "续" if doc["lang"] == "zh" else "continued"
        for number in doc["continued_pages"]:
            if number not in doc["scanned_pages"]:
                assert marker in page_text(doc["file"], number)


def test_key_figure_changes_are_printed(corpus: dict[str, Any], page_text) -> None:
    """The 本年比上年增减 / Change column agrees with the two printed years."""
    facts = [f for f in corpus["facts"] if f["section"] == "key_figures" and not f["scanned"]]
    by_key = {(f["doc"], f["metric"], f["fiscal_year"]): f for f in facts}
    checked = 0
    for (doc, metric, fy), f in by_key.items():
        prior = by_key.get((doc, metric, fy - 1))
        if prior is None:
            continue
        mode = "pp" if metric == "roe_weighted" else "pct"
        change = format_change(
            f["lang"], _hundredths(f["printed"]), _hundredths(prior["printed"]), mode
        )
        assert change in page_text(doc, f["page"]), (f["fact_id"], change)
        checked += 1
    assert checked >= 10


def _hundredths(printed: str) -> int:
    """``1,234.56`` / ``(1,234)`` / ``12.35%`` as an integer count of hundredths."""
    text = printed.replace(",", "").rstrip("%")
    sign = -1 if text.startswith(("(", "-")) else 1
    return int(Decimal(text.strip("()-")) * 100) * sign
