"""The OCR engines by name: one line each, ``name -> "module:Class"`` (imported on first use,
so the config can list the names without loading an engine). Adding an engine: a module with a
class that satisfies ``base.OcrEngine`` (``__init__(threads)``, ``recognize(image)``) and one
line here; ``ingest.ocr_engine`` accepts the new name at once."""

from __future__ import annotations

ENGINES: dict[str, str] = {
    "rapidocr": "domainsft.ingest.ocr.rapid:RapidOcrEngine",  # PP-OCR ONNX models in the wheel
    "tesseract": "domainsft.ingest.ocr.tesseract:TesseractEngine",  # Debian tesseract-ocr
}
