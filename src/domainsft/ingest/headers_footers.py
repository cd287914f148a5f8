"""Running headers and footers: lines that repeat in the top/bottom bands across a document.

A line is a running header/footer when it sits in the top or bottom band of the page and its
digit-normalised form (``5 / 156`` -> ``# / #``) recurs on enough pages of the same document.
Page-number lines (``5 / 156``, ``第 5 页``, ``- 5 -``, ``Page 5``, a bare number) in a band
are removed even when they do not repeat, because every page prints its own number.
"""

from __future__ import annotations

import re
from collections import Counter

from domainsft.ingest.layout import Line

_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")
_PAGE_NUMBER = re.compile(
    r"^(?:"
    r"\d{1,4}\s*/\s*\d{1,4}"  # 5 / 156
    r"|第\s*\d{1,4}\s*页(?:\s*[，,/]?\s*共\s*\d{1,4}\s*页)?"  # 第 5 页, 第5页 共156页
    r"|[-–—]\s*\d{1,4}\s*[-–—]"  # - 5 -
    r"|(?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?"  # Page 5 of 156
    r"|\d{1,4}"  # bare number
    r"|[ivxlcdm]{1,6}"  # roman numerals of front matter
    r")$",
    re.IGNORECASE,
)


def normalise(text: str) -> str:
    return _SPACES.sub(" ", _DIGITS.sub("#", text)).strip().lower()


def is_page_number(text: str) -> bool:
    return bool(_PAGE_NUMBER.match(text.strip()))


def band_lines(lines: list[Line], size: tuple[float, float], band: float) -> list[int]:
    """Indices of lines lying entirely in the top or bottom band of the page.

    The band is a share of the page's long side, so a landscape page (a wide table turned
    sideways) keeps the same header band in points as the portrait pages around it.
    """
    width, height = size
    depth = band * max(width, height)
    top_edge, bottom_edge = depth, height - depth
    return [i for i, ln in enumerate(lines) if ln.bottom <= top_edge or ln.top >= bottom_edge]


def find_running(
    pages: list[tuple[list[Line], tuple[float, float]]], band: float, min_share: float
) -> list[set[int]]:
    """For each page (lines, (width, height)), the indices of its header/footer lines."""
    candidates = [band_lines(lines, h, band) for lines, h in pages]
    counts: Counter[str] = Counter()
    for (lines, _), idx in zip(pages, candidates, strict=True):
        counts.update({normalise(lines[i].text) for i in idx})
    # Chapter headers (第二章 …) repeat only over their chapter; a floor of 3 pages keeps
    # them while a title page's one-off heading in the band is left alone.
    need = max(min(3, len(pages)), min_share * len(pages)) if len(pages) > 1 else 2
    chapter_need = 3
    removed: list[set[int]] = []
    for (lines, _), idx in zip(pages, candidates, strict=True):
        out = set()
        for i in idx:
            text = lines[i].text
            c = counts[normalise(text)]
            if is_page_number(text) or c >= need or (c >= chapter_need and _outer(lines, i)):
                out.add(i)
        removed.append(out)
    return removed


def _outer(lines: list[Line], i: int) -> bool:
    """The first or last line of the page: where running chapter titles sit."""
    return i in (0, len(lines) - 1) or i in (1, len(lines) - 2)
