"""A PDF page -> OCR boxes in PDF points, in reading order; engines cached per process."""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING, Literal

from domainsft.ingest.ocr.base import OcrEngine, OcrLine, fix_number_spacing
from domainsft.ingest.ocr.engines import ENGINES
from domainsft.ingest.ocr.layout import reading_order

if TYPE_CHECKING:
    import pypdfium2

EngineName = Literal[tuple(ENGINES)]  # type: ignore[valid-type]
DEFAULT_DPI = 200
THREADS_ENV = "DOMAINSFT_OCR_THREADS"

_ENGINES: dict[tuple[int, str, int], OcrEngine] = {}


def get_engine(name: EngineName, threads: int | None = None) -> OcrEngine:
    """The engine ``name``, built once per process and reused for every later page.

    ``threads`` defaults to ``$DOMAINSFT_OCR_THREADS`` or 1: the ingest pipeline runs one
    worker process per core, so more threads per engine would only oversubscribe the CPU.
    The cache is keyed by process id, so a worker forked from a parent that already holds an
    engine builds its own instead of sharing onnxruntime sessions across a fork.
    """
    n = threads if threads is not None else int(os.environ.get(THREADS_ENV, "1"))
    if n < 1:
        raise ValueError(f"OCR threads must be >= 1, got {n}")
    key = (os.getpid(), name, n)
    if key not in _ENGINES:
        _ENGINES[key] = _build(name, n)
    return _ENGINES[key]


def _build(name: str, threads: int) -> OcrEngine:
    if name not in ENGINES:
        known = " or ".join(repr(n) for n in ENGINES)
        raise ValueError(f"unknown OCR engine {name!r}: expected {known}")
    module, _, cls = ENGINES[name].partition(":")
    return getattr(importlib.import_module(module), cls)(threads=threads)


def ocr_page(
    page: pypdfium2.PdfPage, engine: EngineName | OcrEngine = "rapidocr", dpi: int = DEFAULT_DPI
) -> list[OcrLine]:
    """Render ``page`` at ``dpi``, OCR it, return boxes in PDF points in reading order.

    Coordinates are those of the page as displayed (its /Rotate applied), origin top-left,
    y downwards, the same frame as the text layer's segments.
    """
    eng = get_engine(engine) if isinstance(engine, str) else engine
    bitmap = page.render(scale=dpi / 72, grayscale=True)
    image = bitmap.to_pil()  # shares the bitmap's buffer: keep ``bitmap`` alive until done
    image.info["dpi"] = (dpi, dpi)
    boxes = eng.recognize(image)
    to_points = 72 / dpi
    lines = [
        OcrLine(fix_number_spacing(b.text.strip()), b.bbox, b.score).scaled(to_points)
        for b in boxes
        if b.text.strip()
    ]
    return reading_order(lines)
