"""Fonts for the reports: an embedded TrueType CJK font for Chinese, Helvetica for English.

Chinese text must be embedded (not referenced) so that it extracts with pypdfium2 and renders
identically when a page is rasterised as a scan. reportlab reads only TrueType outlines, so the
CFF-based Noto CJK fonts are skipped even when fontconfig prefers them.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import cache
from pathlib import Path

from domainsft.utils.imports import require

_KNOWN_CJK = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
CJK_FONT = "DsftCJK"
FONTS = {
    "zh": {"body": CJK_FONT, "bold": CJK_FONT},
    "en": {"body": "Helvetica", "bold": "Helvetica-Bold"},
}


class FontMissing(RuntimeError):
    pass


def _fc_match_candidates() -> list[str]:
    if shutil.which("fc-match") is None:
        return []
    try:
        out = subprocess.run(
            ["fc-match", "-s", "-f", "%{file}\n", ":lang=zh-cn"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [line for line in out.splitlines() if line.lower().endswith((".ttf", ".ttc"))][:20]


@cache
def register_cjk() -> str:
    """Register the first usable TrueType CJK font under ``CJK_FONT``; return its path."""
    pdfmetrics = require("reportlab.pdfbase.pdfmetrics", "samples", "reportlab")
    ttfonts = require("reportlab.pdfbase.ttfonts", "samples", "reportlab")
    tried = []
    for path in [*_KNOWN_CJK, *_fc_match_candidates()]:
        if path in tried or not Path(path).is_file():
            continue
        tried.append(path)
        try:
            font = ttfonts.TTFont(CJK_FONT, path, subfontIndex=0)
        except Exception:
            continue
        if font.face.charToGlyph.get(ord("营")):
            pdfmetrics.registerFont(font)
            return path
    raise FontMissing(
        "no TrueType Chinese font found (tried "
        f"{', '.join(tried) or 'the known paths'}); install one with "
        "`sudo apt-get install fonts-wqy-zenhei`"
    )


def fonts_for(lang: str) -> dict[str, str]:
    if lang == "zh":
        register_cjk()
    return FONTS[lang]


def measure(text: str, font: str, size: float) -> float:
    pdfmetrics = require("reportlab.pdfbase.pdfmetrics", "samples", "reportlab")
    return float(pdfmetrics.stringWidth(text, font, size))
