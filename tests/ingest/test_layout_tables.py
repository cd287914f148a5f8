"""Tables, reading order and header/footer removal on PDFs drawn in the test."""

from __future__ import annotations

from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from domainsft.ingest.headers_footers import find_running, is_page_number, normalise
from domainsft.ingest.layout import Line, Seg, group_lines
from domainsft.ingest.pdf import check_file, open_document, read_page
from domainsft.ingest.structure import page_structure

CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")


def _font() -> str:
    if "wqy" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("wqy", str(CJK_FONT), subfontIndex=0))
    return "wqy"


def _ruled_table(c: canvas.Canvas, font: str) -> None:
    """A key-figures grid whose second label wraps over two lines inside its cell."""
    xs = [60, 200, 320, 440, 530]
    ys = [700, 680, 660, 625, 605]  # row 3 is tall: its label wraps
    for y in ys:
        c.line(xs[0], y, xs[-1], y)
    for x in xs:
        c.line(x, ys[0], x, ys[-1])
    c.setFont(font, 9)
    cells = [
        ["主要会计数据", "2019年", "2018年", "增减(%)"],
        ["营业收入", "1,175,301,034.32", "1,230,537,181.80", "-4.49"],
    ]
    for r, row in enumerate(cells):
        for j, text in enumerate(row):
            c.drawString(xs[j] + 4, ys[r] - 14, text)
    c.drawString(xs[0] + 4, ys[2] - 13, "归属于上市公司股东")
    c.drawString(xs[0] + 4, ys[2] - 27, "的净利润")
    for j, text in enumerate(["129,465,020.68", "182,223,387.13", "-28.95"], start=1):
        c.drawString(xs[j] + 4, ys[2] - 20, text)
    for j, text in enumerate(["总资产", "2,464,948,703.85", "2,051,223,456.86", "20.17"]):
        c.drawString(xs[j] + 4, ys[3] - 14, text)


def _page_with_table(path: Path) -> Path:
    font = _font()
    c = canvas.Canvas(str(path), invariant=1)
    for n in range(1, 5):
        c.setFont(font, 9)
        c.drawString(250, 810, "示例科技股份有限公司 2019 年年度报告")
        c.drawString(280, 30, f"{n} / 4")
        if n == 2:
            _ruled_table(c, font)
            c.setFont("Helvetica", 10)
            rows = [
                ("(in millions)", "", "2019", "", "2018"),
                ("Revenue", "$", "1,577", "$", "1,420"),
                ("Cost of sales", "", "(934)", "", "(880)"),
            ]
            for k, row in enumerate(rows):
                y = 560 - 15 * k
                c.drawString(60, y, row[0])
                c.drawString(300, y, row[1])
                c.drawRightString(360, y, row[2])
                c.drawString(400, y, row[3])
                c.drawRightString(460, y, row[4])
        else:
            c.setFont(font, 10)
            c.drawString(60, 700, f"第{n}页正文内容。")
        c.showPage()
    c.save()
    return path


def _pages(path: Path):
    doc = open_document(check_file(path))
    raws = [read_page(doc, i) for i in range(len(doc))]
    lines = [group_lines(r.segs) for r in raws]
    running = find_running(
        [(ls, (r.width, r.height)) for ls, r in zip(lines, raws, strict=True)], 0.09, 0.3
    )
    return raws, lines, running


def test_ruled_table_keeps_wrapped_label_in_its_row(tmp_path):
    raws, lines, running = _pages(_page_with_table(tmp_path / "t.pdf"))
    kept = [ln for i, ln in enumerate(lines[1]) if i not in running[1]]
    text, tables = page_structure(kept, raws[1].hrules, raws[1].vrules)
    grid = tables[0]
    assert grid[0] == ["主要会计数据", "2019年", "2018年", "增减(%)"]
    assert grid[1] == ["营业收入", "1,175,301,034.32", "1,230,537,181.80", "-4.49"]
    assert grid[2] == ["归属于上市公司股东的净利润", "129,465,020.68", "182,223,387.13", "-28.95"]
    assert grid[3][0] == "总资产"
    assert "归属于上市公司股东的净利润 129,465,020.68 182,223,387.13 -28.95" in text
    unruled = tables[1]
    assert ["Revenue", "1,577", "1,420"] in unruled
    assert ["Cost of sales", "(934)", "(880)"] in unruled


def test_running_header_and_page_numbers_are_removed(tmp_path):
    _, lines, running = _pages(_page_with_table(tmp_path / "t.pdf"))
    for ls, drop in zip(lines, running, strict=True):
        removed = {ls[i].text for i in drop}
        assert any("年年度报告" in t for t in removed)
        assert any(is_page_number(t) for t in removed)
        body = [ln.text for i, ln in enumerate(ls) if i not in drop]
        assert not any("年年度报告" in t for t in body)
    assert any("正文内容" in ln.text for ln in lines[0])


def test_page_number_patterns():
    for s in ["5 / 156", "第 5 页", "第5页 共156页", "- 12 -", "Page 3 of 40", "17", "iv"]:
        assert is_page_number(s), s
    for s in ["2019 年年度报告", "营业收入 1,175", "Total assets"]:
        assert not is_page_number(s), s
    assert normalise("5 / 156") == normalise("6 / 156")


def test_wrapped_paragraph_lines_are_rejoined():
    def seg(y, x1, text):
        return Seg(60, y, x1, y + 10, text)

    lines = group_lines(
        [
            seg(100, 540, "The Company reported record net sales driven by"),
            seg(112, 540, "strong demand across every segment and a finan-"),
            seg(124, 300, "cial discipline that held costs flat."),
            seg(150, 200, "Next paragraph."),
        ]
    )
    assert all(isinstance(ln, Line) for ln in lines)
    text, tables = page_structure(lines, [], [])
    assert tables == []
    first, second = text.split("\n")
    assert first.endswith("a financial discipline that held costs flat.")
    assert "driven by strong demand" in first
    assert second == "Next paragraph."


def test_sideways_margin_title_is_not_spread_over_lines(tmp_path):
    from domainsft.config import IngestConfig
    from domainsft.ingest.document import process_file

    path = tmp_path / "side.pdf"
    c = canvas.Canvas(str(path), invariant=1)
    for n in range(1, 5):
        c.setFont("Helvetica", 10)
        for k in range(6):
            c.drawString(72, 700 - 14 * k, f"Body line {k} of page {n} with some words.")
        c.saveState()
        c.translate(560, 200)
        c.rotate(90)
        c.drawString(0, 0, "STRATEGIC REPORT ANNUAL REPORT 2022")
        c.restoreState()
        c.showPage()
    c.save()
    pages = process_file(str(path), IngestConfig(out=tmp_path, ocr="never")).pages
    for p in pages:
        assert p.text.splitlines()[0] == f"Body line 0 of page {p.page} with some words."
        assert "STRATEGIC REPORT ANNUAL REPORT 2022" in p.removed_lines
        assert "STRATEGIC" not in p.text
