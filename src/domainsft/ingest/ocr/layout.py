"""OCR boxes -> visual rows -> cells -> text.

RapidOCR returns one box per phrase, and in a table usually one box per cell; Tesseract's lines
are cut into the same kind of boxes by its engine wrapper. Rows are rebuilt here from geometry
alone so that both engines give the same structure:

* a box joins the row above it when their vertical centres are within half a line height
  (of the smaller of the two, so a tall title never swallows the small print beside it);
* within a row, boxes closer than ``CELL_GAP`` box heights are one cell (a phrase that the
  detector happened to split), joined with one space between Latin pieces and nothing next to
  a CJK piece; a wider gap starts a new cell, and a lone currency sign joins the figure after it;
* in text, cells are separated by a tab, so the downstream fact extractor keeps the cell
  boundaries of tables recovered from scans: ``lines_to_text`` is exactly
  ``"\\n".join("\\t".join(row) for row in lines_to_rows(lines))``.
"""

from __future__ import annotations

import re
from statistics import median

from domainsft.ingest.ocr.base import OcrLine

# RapidOCR's detector already merges words one space apart into one box and splits only at
# wider gaps; on real statement pages, distinct table cells came as close as 0.4 box heights
# (right-aligned figures of narrow adjacent columns), while detector splits inside a phrase
# stay under 0.3. So nearly every box boundary is a cell boundary.
CELL_GAP = 0.35
ROW_TOLERANCE = 0.5  # centres within half a line height are one row
CURRENCY_SIGNS = frozenset({"$", "US$", "HK$", "¥", "￥", "€", "£", "RMB"})

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")


def group_rows(lines: list[OcrLine]) -> list[list[OcrLine]]:
    """Boxes grouped into visual rows, rows top to bottom, boxes left to right."""
    rows: list[list[OcrLine]] = []
    row_cy = row_h = 0.0
    for ln in sorted(lines, key=lambda b: (b.cy, b.bbox[0])):
        if rows and abs(ln.cy - row_cy) <= ROW_TOLERANCE * min(ln.height, row_h):
            rows[-1].append(ln)
            # A running mean follows a row across the page even when the scan is slightly
            # skewed, where comparing with the first box alone would break the row apart.
            row_cy += (ln.cy - row_cy) / len(rows[-1])
            row_h = median(b.height for b in rows[-1])
            continue
        rows.append([ln])
        row_cy, row_h = ln.cy, ln.height
    return [sorted(r, key=lambda b: b.bbox[0]) for r in rows]


def reading_order(lines: list[OcrLine]) -> list[OcrLine]:
    """Boxes sorted row by row, top to bottom, then left to right."""
    return [ln for row in group_rows(lines) for ln in row]


def lines_to_rows(lines: list[OcrLine]) -> list[list[str]]:
    """Visual rows of cells (left to right), top to bottom: the table rows of a scan."""
    rows = group_rows(lines)
    return [[join_pieces([b.text for b in cell]) for cell in _cells(row)] for row in rows]


def lines_to_text(lines: list[OcrLine]) -> str:
    """Reading-order text: one visual row per line, cells separated by a tab."""
    return "\n".join("\t".join(row) for row in lines_to_rows(lines))


def _cells(row: list[OcrLine]) -> list[list[OcrLine]]:
    cells: list[list[OcrLine]] = []
    for ln in row:
        if cells and _same_cell(cells[-1][-1], ln):
            cells[-1].append(ln)
        else:
            cells.append([ln])
    return cells


def _same_cell(prev: OcrLine, ln: OcrLine) -> bool:
    # US statements print "$" at the left edge of a column and the figure right-aligned, so
    # a lone currency sign belongs to the figure after it, however far, never to the one before.
    if prev.text.strip() in CURRENCY_SIGNS:
        return True
    if ln.text.strip() in CURRENCY_SIGNS:
        return False
    return ln.bbox[0] - prev.bbox[2] <= CELL_GAP * min(ln.height, prev.height)


def join_pieces(pieces: list[str]) -> str:
    """Pieces of one phrase, left to right: no space where either side is CJK, else one."""
    out = ""
    for raw in pieces:
        piece = raw.strip()
        if not piece:
            continue
        if out and not (_CJK.match(out[-1]) or _CJK.match(piece[0])):
            out += " "
        out += piece
    return out
