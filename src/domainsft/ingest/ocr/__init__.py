"""OCR of scanned pages: rendered page -> text boxes in PDF points -> rows, cells and text.

Two engines behind one protocol: ``rapidocr`` (PP-OCR ONNX models bundled in the wheel, the
default; better on Chinese and on figures) and ``tesseract`` (the Debian binary). Both only use
local files; neither reaches the network.

    lines = ocr_page(pdf[3])                 # list[OcrLine], PDF points, reading order
    text = lines_to_text(lines)              # rows joined by "\\n", cells by "\\t"
    rows = lines_to_rows(lines)              # [["营业收入", "1,175,301,034.32", ...], ...]
"""

from domainsft.ingest.ocr.base import OcrEngine, OcrLine, OcrUnavailable, fix_number_spacing
from domainsft.ingest.ocr.layout import group_rows, lines_to_rows, lines_to_text
from domainsft.ingest.ocr.page import DEFAULT_DPI, get_engine, ocr_page

__all__ = [
    "DEFAULT_DPI",
    "OcrEngine",
    "OcrLine",
    "OcrUnavailable",
    "fix_number_spacing",
    "get_engine",
    "group_rows",
    "lines_to_rows",
    "lines_to_text",
    "ocr_page",
]
