"""Rasterise pages into "scans": an image of the page with sensor noise and no text layer.

Scans are rendered from the very PDF the reader sees, so OCR of a scanned page should recover
the same strings as the text layer would have given.
"""

from __future__ import annotations

import io

from domainsft.utils.imports import require

SCAN_DPI = 150


def rasterise(pdf: bytes, seed: int, dpi: int = SCAN_DPI) -> list[bytes]:
    """One greyscale JPEG per page of ``pdf``, with mild deterministic noise."""
    pdfium = require("pypdfium2", "samples")
    np = require("numpy", "samples")
    image_mod = require("PIL.Image", "samples", "pillow")
    doc = pdfium.PdfDocument(pdf)
    out = []
    try:
        for i in range(len(doc)):
            bitmap = doc[i].render(scale=dpi / 72, grayscale=True)
            grey = np.asarray(bitmap.to_pil().convert("L"), dtype=np.int16)
            rng = np.random.default_rng(seed + i)
            # Slightly grey paper, a little sensor noise: enough to look scanned, not to hurt OCR.
            noisy = grey - 10 + rng.normal(0.0, 3.0, grey.shape).round().astype(np.int16)
            img = image_mod.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))
            buf = io.BytesIO()
            img.save(buf, format="JPEG", quality=72, dpi=(dpi, dpi))
            out.append(buf.getvalue())
    finally:
        doc.close()
    return out
