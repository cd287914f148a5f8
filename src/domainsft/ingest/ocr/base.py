"""What every OCR engine returns, and the small text fixes applied to whatever it recognises."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from PIL import Image


class OcrUnavailable(RuntimeError):
    """An OCR engine cannot run here (a binary or a language pack is missing)."""


@dataclass(frozen=True, slots=True)
class OcrLine:
    """One recognised text box.

    ``bbox`` is ``(x0, y0, x1, y1)`` with the origin at the top-left corner and y growing
    downwards: in pixels when an engine returns it, in PDF points once ``ocr_page`` has scaled
    it. ``score`` is the engine's confidence in [0, 1].
    """

    text: str
    bbox: tuple[float, float, float, float]
    score: float

    @property
    def height(self) -> float:
        return self.bbox[3] - self.bbox[1]

    @property
    def cy(self) -> float:
        return (self.bbox[1] + self.bbox[3]) / 2

    def scaled(self, factor: float) -> OcrLine:
        x0, y0, x1, y1 = self.bbox
        box = (x0 * factor, y0 * factor, x1 * factor, y1 * factor)
        return OcrLine(self.text, box, self.score)


@runtime_checkable
class OcrEngine(Protocol):
    def recognize(self, image: Image.Image) -> list[OcrLine]:
        """Text boxes of ``image`` with bboxes in pixels, in no particular order."""
        ...


# Some reports set figures in a font whose comma is as wide as a digit, so the recogniser
# sees a space after it and reads "382, 344, 340.93" for the 382,344,340.93 of the text layer.
# Only a run that is unmistakably one grouped figure is closed up: two or more groups, or a
# decimal part. "31, 2022" (a date) and "1, 234" (a list) keep their space.
_SPACED_GROUPS = re.compile(r"(?<![\d.,])\d{1,3}(?:, ?\d{3})+(?:\.\d+)?(?!\d)")


def fix_number_spacing(text: str) -> str:
    """Close up spaces that OCR inserted inside a grouped figure such as ``1, 175, 301.32``."""
    if ", " not in text:
        return text
    return _SPACED_GROUPS.sub(_close_up, text)


def _close_up(m: re.Match[str]) -> str:
    figure = m.group()
    if " " in figure and (figure.count(",") >= 2 or "." in figure):
        return figure.replace(" ", "")
    return figure
