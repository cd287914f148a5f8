"""Recover the nil dashes ("—", "-") of table cells that the text detector does not see.

Financial tables print nil as a lone dash. PP-OCR's detector finds no text in a thin bar, so
without this a row like ``Losses  $ —  $ (42)`` comes back as ``Losses  $  $ (42)`` and every
cell after the dash shifts one column to the left in ``lines_to_rows``. On a rasterised
English notes page 34 of 38 such dashes were recovered, with no false ones on the Chinese
and English test pages.

A dash is a connected ink component that is
* thin (at most ``MAX_THICK`` of the typical box height) and short (a rule is longer),
* clear of every recognised box (dashes inside words are the recogniser's job), and
* at mid-height of some box on the same visual row (an underline sits at the bottom).
"""

from __future__ import annotations

from statistics import median
from typing import TYPE_CHECKING

import numpy as np

from domainsft.ingest.ocr.base import OcrLine
from domainsft.utils.imports import require

if TYPE_CHECKING:
    from PIL import Image

INK = 128  # grey level below which a pixel is ink
MAX_THICK = 0.1  # x typical box height: an em dash stroke, not the bolder CJK numeral "一"
MIN_LEN, MAX_LEN = 0.2, 2.0  # x typical box height
EM_DASH_LEN = 0.55  # longer than this is printed as "—" (about 0.75 em), shorter as "-"
MID_ROW = 0.35  # |dash centre - box centre| <= this x box height: on that box's text line
DASH_SCORE = 0.9  # found by geometry, not by the recogniser


def find_dashes(image: Image.Image, boxes: list[OcrLine]) -> list[OcrLine]:
    """Dash boxes (pixels) that lie outside ``boxes`` on one of their rows."""
    if not boxes:
        return []
    cv2 = require("cv2", "ingest", package="opencv-python")
    ink = (np.asarray(image.convert("L")) < INK).astype(np.uint8)
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    unit = median(b.height for b in boxes)
    found = []
    for x, y, w, h in _dash_shaped(stats[1:], unit).tolist():
        row = _row_of(x + w / 2, y + h / 2, boxes)
        if row is not None:
            text = "—" if w >= EM_DASH_LEN * unit else "-"
            # The box spans the text line, not the 1-px stroke, so that rows group it.
            bbox = (float(x), row.bbox[1], float(x + w), row.bbox[3])
            found.append(OcrLine(text, bbox, DASH_SCORE))
    return found


def _dash_shaped(stats: np.ndarray, unit: float) -> np.ndarray:
    """``x, y, w, h`` of the components shaped like a dash (a page has thousands of others)."""
    w, h = stats[:, 2], stats[:, 3]
    keep = (h <= max(2.0, MAX_THICK * unit)) & (w >= 3 * h)
    keep &= (w >= MIN_LEN * unit) & (w <= MAX_LEN * unit)
    return stats[keep, :4]


def _row_of(cx: float, cy: float, boxes: list[OcrLine]) -> OcrLine | None:
    """The nearest box whose text line the point is at mid-height of; None if inside a box."""
    best: OcrLine | None = None
    for b in boxes:
        x0, y0, x1, y1 = b.bbox
        if x0 - 2 <= cx <= x1 + 2 and y0 - 2 <= cy <= y1 + 2:
            return None  # inside a recognised box: the recogniser read it (or it is a glyph)
        if abs(cy - b.cy) <= MID_ROW * b.height and (best is None or _dx(cx, b) < _dx(cx, best)):
            best = b
    return best


def _dx(cx: float, b: OcrLine) -> float:
    return min(abs(cx - b.bbox[0]), abs(cx - b.bbox[2]))
