"""Turn laid-out pages into PDF bytes with reportlab: running header, footer, scanned pages."""

from __future__ import annotations

import io
from collections.abc import Callable

from domainsft.samples.layout import LEFT, PAGE_H, PAGE_W, RIGHT, PageOut
from domainsft.utils.imports import require

Footer = Callable[[int, int], str]  # (page, total) -> footer text


def render_pdf(
    pages: list[PageOut],
    fonts: dict[str, str],
    header: str,
    footer: Footer,
    title: str,
    author: str,
    scans: dict[int, bytes] | None = None,
    only: list[int] | None = None,
) -> bytes:
    """Render ``pages`` (or just the 1-based numbers in ``only``); pages in ``scans`` become the
    given JPEG and nothing else, so they carry no text layer at all."""
    canvas_mod = require("reportlab.pdfgen.canvas", "samples", "reportlab")
    utils = require("reportlab.lib.utils", "samples", "reportlab")
    buf = io.BytesIO()
    # invariant=1 pins the creation date and document ID: same input, byte-identical PDF.
    c = canvas_mod.Canvas(buf, pagesize=(PAGE_W, PAGE_H), invariant=1, pageCompression=1)
    c.setTitle(title)
    c.setAuthor(author)
    c.setCreator("domainsft sample-reports")
    total = len(pages)
    for number in only or range(1, total + 1):
        page = pages[number - 1]
        if scans and number in scans:
            image = utils.ImageReader(io.BytesIO(scans[number]))
            c.drawImage(image, 0, 0, PAGE_W, PAGE_H)
        else:
            _draw_page(c, page, fonts)
            if not page.cover:
                _draw_running(c, fonts, header, footer(number, total))
        c.showPage()
    c.save()
    return buf.getvalue()


def _draw_page(c, page: PageOut, fonts: dict[str, str]) -> None:
    for x1, y1, x2, y2, width in page.rules:
        c.setLineWidth(width)
        c.line(x1, y1, x2, y2)
    for op in page.ops:
        c.setFont(fonts[op.font], op.size)
        if op.align == "r":
            c.drawRightString(op.x, op.y, op.text)
        elif op.align == "c":
            c.drawCentredString(op.x, op.y, op.text)
        else:
            c.drawString(op.x, op.y, op.text)


def _draw_running(c, fonts: dict[str, str], header: str, footer: str) -> None:
    c.setFont(fonts["body"], 8.5)
    c.setFillGray(0.25)
    c.drawRightString(RIGHT, PAGE_H - 46, header)
    c.setLineWidth(0.6)
    c.line(LEFT, PAGE_H - 52, RIGHT, PAGE_H - 52)
    c.drawCentredString(PAGE_W / 2, 34, footer)
    c.setFillGray(0)
