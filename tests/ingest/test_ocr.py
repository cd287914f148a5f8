"""OCR of scanned pages: a page built here, rasterised to an image-only PDF, read back.

The scan holds a Chinese title in an embedded CJK font, a small financial table and an English
sentence; the figures must come back character for character, with boxes in PDF points.
"""

from __future__ import annotations

import io
import re
import shutil
import socket
import sys
from pathlib import Path

import pytest

from domainsft.ingest.ocr import (
    OcrLine,
    OcrUnavailable,
    fix_number_spacing,
    get_engine,
    lines_to_rows,
    lines_to_text,
    ocr_page,
)
from domainsft.ingest.ocr.layout import group_rows
from tests.conftest import shared_or_skip

pdfium = pytest.importorskip("pypdfium2")
pytest.importorskip("reportlab")

CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
PAGE_W, PAGE_H = 460.0, 300.0  # small page: the test OCRs it in about a second
TITLE = "合并资产负债表"
ROWS = [
    ("项目", "2023年", "2022年"),
    ("营业收入", "1,175,301,034.32", "1,230,537,181.80"),
    ("净利润增长率", "-4.49", "12.35%"),
    ("财务费用", "(1,234)", "56,789.00"),
]
SENTENCE = "Net profit rose by 12.35% on the prior year."
FIGURES = ["1,175,301,034.32", "1,230,537,181.80", "-4.49", "12.35%", "(1,234)", "56,789.00"]
COL_RIGHT = (300.0, 430.0)  # right edges of the two figure columns, in points
ROW_TOP = 80.0  # baseline of the first table row, from the top, in points
ROW_STEP = 26.0


def _draw_page(c) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont("wqy", str(CJK_FONT), subfontIndex=0))
    c.setFont("wqy", 16)
    c.drawString(30, PAGE_H - 40, TITLE)
    for i, (label, a, b) in enumerate(ROWS):
        y = PAGE_H - ROW_TOP - i * ROW_STEP
        c.setFont("wqy", 11)
        c.drawString(30, y, label)
        c.drawRightString(COL_RIGHT[0], y, a)
        c.drawRightString(COL_RIGHT[1], y, b)
    c.setFont("Helvetica", 11)
    c.drawString(30, PAGE_H - ROW_TOP - len(ROWS) * ROW_STEP - 20, SENTENCE)


def _pdf(draw, size: tuple[float, float] = (PAGE_W, PAGE_H)) -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=size)
    draw(c)
    c.showPage()
    c.save()
    return buf.getvalue()


def _scan_of(pdf_bytes: bytes, dpi: int = 200) -> bytes:
    """An image-only PDF of the first page of ``pdf_bytes``: what a scanner produces."""
    from reportlab.lib.utils import ImageReader

    doc = pdfium.PdfDocument(pdf_bytes)
    page = doc[0]
    width, height = page.get_size()
    image = page.render(scale=dpi / 72).to_pil().convert("RGB")
    doc.close()
    draw = lambda c: c.drawImage(ImageReader(image), 0, 0, width=width, height=height)  # noqa: E731
    return _pdf(draw, (width, height))


@pytest.fixture(scope="module")
def scan():
    if not CJK_FONT.is_file():
        pytest.skip(f"CJK font {CJK_FONT} not installed: apt-get install fonts-wqy-zenhei")
    doc = pdfium.PdfDocument(_scan_of(_pdf(_draw_page)))
    assert doc[0].get_textpage().count_chars() == 0  # really a scan: no text layer left
    yield doc[0]
    doc.close()


@pytest.fixture(scope="module")
def rapid_lines(scan) -> list[OcrLine]:
    pytest.importorskip("rapidocr")
    return ocr_page(scan, engine="rapidocr", dpi=200)


@pytest.fixture(scope="module")
def tesseract_lines(scan) -> list[OcrLine]:
    try:
        get_engine("tesseract")
    except OcrUnavailable as exc:
        pytest.skip(f"tesseract unavailable: {exc}")
    return ocr_page(scan, engine="tesseract", dpi=300)  # Tesseract reads figures best at 300


def _row_with(rows: list[list[str]], label: str) -> list[str]:
    return next(r for r in rows if r and r[0] == label)


def _check_scan(lines: list[OcrLine]) -> None:
    texts = [ln.text for ln in lines]
    for figure in FIGURES:
        assert any(figure in re.split(r"\s+", t) for t in texts), (figure, texts)
    for ln in lines:
        x0, y0, x1, y1 = ln.bbox
        assert 0 <= x0 < x1 <= PAGE_W + 0.5 and 0 <= y0 < y1 <= PAGE_H + 0.5, ln
        assert 0 < ln.score <= 1
    text = lines_to_text(lines)
    assert TITLE in text.splitlines()[0]  # the title is read, and read first
    assert SENTENCE in text
    rows = lines_to_rows(lines)
    assert _row_with(rows, "营业收入") == ["营业收入", *ROWS[1][1:]]
    assert _row_with(rows, "财务费用") == ["财务费用", *ROWS[3][1:]]
    assert "营业收入\t1,175,301,034.32\t1,230,537,181.80" in text.splitlines()


def _box_of(lines: list[OcrLine], text: str) -> OcrLine:
    return next(ln for ln in lines if ln.text == text)


def test_rapidocr_reads_the_scan_exactly(rapid_lines):
    _check_scan(rapid_lines)


def test_rapidocr_boxes_are_pdf_points_from_the_top_left(rapid_lines):
    # Drawn right-aligned at x=300 pt, baseline 106 pt below the top edge (11-pt type).
    box = _box_of(rapid_lines, "1,175,301,034.32")
    assert box.bbox[2] == pytest.approx(COL_RIGHT[0], abs=6)
    assert ROW_TOP + ROW_STEP - 14 < box.cy < ROW_TOP + ROW_STEP + 4
    title = next(ln for ln in rapid_lines if TITLE in ln.text)
    assert title.bbox[0] == pytest.approx(30, abs=6) and title.bbox[1] < 40


def test_tesseract_reads_the_scan_exactly(tesseract_lines):
    _check_scan(tesseract_lines)


def test_rapidocr_never_reaches_the_network(monkeypatch):
    """Build a fresh engine and OCR with every way out to the network blocked."""
    pytest.importorskip("rapidocr")
    from PIL import Image, ImageDraw

    from domainsft.ingest.ocr.rapid import RapidOcrEngine

    def blocked(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket, "getaddrinfo", blocked)
    monkeypatch.setattr(socket, "create_connection", blocked)
    monkeypatch.setattr(socket.socket, "connect", blocked)
    image = Image.new("L", (400, 60), 255)
    ImageDraw.Draw(image).text((10, 20), "Total 1,234.56", fill=0)
    lines = RapidOcrEngine().recognize(image.resize((800, 120)))
    assert lines and all(isinstance(ln, OcrLine) for ln in lines)


def test_blank_page_gives_no_lines():
    pytest.importorskip("rapidocr")
    doc = pdfium.PdfDocument(_pdf(lambda c: None))
    assert ocr_page(doc[0]) == []
    doc.close()


def test_engines_are_cached_per_process_and_thread_count(monkeypatch):
    from domainsft.ingest.ocr import page as page_module

    monkeypatch.setattr(page_module, "_ENGINES", {})
    monkeypatch.setattr(page_module, "_build", lambda name, threads: object())
    assert get_engine("rapidocr") is get_engine("rapidocr", threads=1)
    assert get_engine("rapidocr", threads=2) is not get_engine("rapidocr", threads=1)
    monkeypatch.setenv("DOMAINSFT_OCR_THREADS", "2")
    assert get_engine("rapidocr") is get_engine("rapidocr", threads=2)


def test_unknown_engine_is_an_error():
    with pytest.raises(ValueError, match="unknown OCR engine"):
        get_engine("paddle")  # type: ignore[arg-type]


def test_missing_rapidocr_names_the_extra(monkeypatch):
    from domainsft.ingest.ocr.rapid import RapidOcrEngine

    monkeypatch.setitem(sys.modules, "rapidocr", None)  # import now raises ImportError
    with pytest.raises(ImportError, match=r"pip install 'domainsft\[ingest\]'"):
        RapidOcrEngine()


def test_missing_tesseract_names_the_apt_packages(monkeypatch):
    from domainsft.ingest.ocr.tesseract import TesseractEngine

    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(OcrUnavailable, match="apt-get install tesseract-ocr tesseract-ocr-chi-sim"):
        TesseractEngine()


def test_missing_tesseract_language_names_the_apt_packages():
    from domainsft.ingest.ocr.tesseract import TesseractEngine

    if shutil.which("tesseract") is None:
        pytest.skip("tesseract binary not installed")
    with pytest.raises(OcrUnavailable, match="tesseract-ocr-chi-sim"):
        TesseractEngine(langs=("chi_sim", "no_such_lang"))


# --- geometry and text, no OCR ------------------------------------------------------------


def _box(text: str, x0: float, y0: float, x1: float, h: float = 10.0) -> OcrLine:
    return OcrLine(text, (x0, y0, x1, y0 + h), 0.99)


def test_rows_group_by_centre_and_sort_left_to_right():
    lines = [
        _box("1,175,301,034.32", 200, 21, 300),  # 1 unit lower than its label: same row
        _box("营业收入", 10, 20, 60),
        _box("1,230,537,181.80", 320, 20, 420),
        _box("净利润", 10, 34, 40),  # next row: centre 14 units below
        _box("-4.49", 260, 35, 300),
    ]
    assert lines_to_rows(lines) == [
        ["营业收入", "1,175,301,034.32", "1,230,537,181.80"],
        ["净利润", "-4.49"],
    ]
    assert group_rows(lines)[0][0].text == "营业收入"


def test_text_joins_cjk_without_space_latin_with_one_and_cells_with_a_tab():
    lines = [
        _box("资产", 10, 0, 30),
        _box("总计", 31, 0, 51),  # a phrase the detector split: CJK pieces touch
        _box("2,464,948,703.85", 200, 0, 300),  # a column gutter: new cell
        _box("Total", 10, 20, 40),
        _box("assets", 42, 20, 75),  # a word space
        _box("$", 150, 20, 155),  # a currency sign binds to the figure after it
        _box("1,956", 250, 20, 280),
    ]
    assert lines_to_text(lines) == "资产总计\t2,464,948,703.85\nTotal assets\t$ 1,956"
    assert lines_to_rows(lines)[1] == ["Total assets", "$ 1,956"]


def test_rows_follow_a_slightly_skewed_scan():
    # The baseline drifts 0.4 units per box: 2 units over the row, under half a line height
    # between neighbours; the row must stay whole.
    lines = [_box(f"c{i}", 60 * i, 20 + 0.4 * i, 60 * i + 30) for i in range(6)]
    assert lines_to_rows(lines) == [[f"c{i}" for i in range(6)]]


def test_empty_page_gives_empty_text():
    assert lines_to_text([]) == "" and lines_to_rows([]) == []


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("382, 344, 340.93", "382,344,340.93"),
        ("-33, 133, 768.75", "-33,133,768.75"),
        ("903,236, 584.52", "903,236,584.52"),
        ("December 31, 2022, 2021, and 2020", "December 31, 2022, 2021, and 2020"),
        ("Notes 1, 234 and 5", "Notes 1, 234 and 5"),  # one group, no decimals: a list
        ("1,175,301,034.32", "1,175,301,034.32"),
    ],
)
def test_ocr_spaces_inside_grouped_figures_are_closed(raw, want):
    assert fix_number_spacing(raw) == want


def test_tesseract_words_cut_inside_figures_are_rejoined():
    from domainsft.ingest.ocr.tesseract import _join_words

    assert _join_words(["8,137,304.", "26"]) == "8,137,304.26"
    assert _join_words(["82,", "757.", "37"]) == "82,757.37"
    assert _join_words(["December", "31,", "2022"]) == "December 31, 2022"
    assert _join_words(["资", "产", "总", "计"]) == "资产总计"


def test_table_rules_are_erased_and_text_kept():
    import numpy as np
    from PIL import Image, ImageDraw

    from domainsft.ingest.ocr.tesseract import erase_rules

    image = Image.new("L", (600, 400), 255)
    draw = ImageDraw.Draw(image)
    draw.line((20, 100, 580, 100), fill=0, width=2)  # a table rule
    draw.line((300, 20, 300, 380), fill=0, width=2)  # a column rule
    draw.rectangle((50, 200, 58, 220), fill=0)  # a glyph-sized blot
    out = np.asarray(erase_rules(image))
    assert out[100, 20:580].min() == 255 and out[20:380, 300].min() == 255
    assert out[210, 54] == 0


def test_nil_dashes_between_cells_are_recovered():
    pytest.importorskip("cv2")
    from PIL import Image, ImageDraw

    from domainsft.ingest.ocr.dashes import find_dashes

    image = Image.new("L", (600, 100), 255)
    draw = ImageDraw.Draw(image)
    draw.rectangle((300, 49, 322, 50), fill=0)  # "—" at mid-height of the row
    draw.rectangle((450, 64, 490, 65), fill=0)  # an underline at the foot of the row
    boxes = [_box("Charge-offs", 10, 36, 120, h=30), _box("(42)", 500, 36, 540, h=30)]
    dashes = find_dashes(image, boxes)
    assert [d.text for d in dashes] == ["—"]
    assert lines_to_rows(boxes + dashes) == [["Charge-offs", "—", "(42)"]]


# --- a real statement page, rasterised --------------------------------------------------


@pytest.mark.slow
def test_real_statement_page_figures_come_back_exactly():
    """Page 60 of a real Chinese annual report (a balance sheet), rasterised to a scan."""
    pytest.importorskip("rapidocr")
    path = shared_or_skip("reports", "zh", "cn_603339_sifang_2019_annual_report.pdf")
    doc = pdfium.PdfDocument(path)
    gold = doc[59].get_textpage().get_text_range()
    scan_bytes = _scan_of(_page_pdf(doc, 59))
    doc.close()
    scan_doc = pdfium.PdfDocument(scan_bytes)
    text = lines_to_text(ocr_page(scan_doc[0]))
    scan_doc.close()
    want = re.findall(r"-?\d{1,3}(?:,\d{3})+\.\d\d", gold)
    assert len(want) > 25
    assert sorted(re.findall(r"-?\d{1,3}(?:,\d{3})+\.\d\d", text)) == sorted(want)
    assert "递延所得税资产\t七、30\t957,012.57\t1,890,183.58" in text.splitlines()


def _page_pdf(doc, index: int) -> bytes:
    single = pdfium.PdfDocument.new()
    single.import_pages(doc, [index])
    buf = io.BytesIO()
    single.save(buf)
    single.close()
    return buf.getvalue()
