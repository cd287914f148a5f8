"""Tesseract through its command-line binary: no Python binding, the Debian package is enough.

* Table rules are erased before recognition: with them, Tesseract reads a ruled statement as
  garbage (character recall on ruled Chinese statement pages rose from 0.55 to 0.97).
* ``--psm 6`` (one uniform block of text) keeps each table row on one Tesseract line; the
  automatic layout analysis (``--psm 3``/``4``) cuts statements into column blocks, and read
  fewer figures exactly on English statement pages (267 vs 294 of 302).
* Tesseract's TSV gives words; the words of one line are merged into phrase boxes, split
  where a gap is wider than a word space: the granularity of RapidOCR's boxes, so ``layout``
  treats both engines alike.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
from collections import defaultdict
from functools import cache
from statistics import median
from typing import TYPE_CHECKING

import numpy as np

from domainsft.ingest.ocr.base import OcrLine, OcrUnavailable
from domainsft.ingest.ocr.layout import join_pieces
from domainsft.utils.imports import require

if TYPE_CHECKING:
    from PIL import Image

LANGS = ("chi_sim", "eng")
PSM = 6
DARK = 160  # grey level below which a pixel is ink
RULE_MIN = 0.06  # a table rule spans at least this share of the page width (or height)
# In glyph heights: a word space is 0.25-0.35, a gap between the right-aligned figures of two
# narrow table columns can be as small as 0.5, and a wider gap always separates phrases.
PHRASE_GAP = 1.0
FIGURE_GAP = 0.45
PHANTOM_OVERLAP = 0.5  # share of a line's height overlapped by a more confident line
TIMEOUT_S = 600  # a pathological page must not hang a worker for ever
_INSTALL = "apt-get install tesseract-ocr tesseract-ocr-chi-sim"

_HAS_DIGIT = re.compile(r"\d")
_DECIMAL_CUT = re.compile(r"\d\.$")
_GROUP_CUT = re.compile(r"\d,$")
_GROUP = re.compile(r"\d{3}(?!\d)")

Word = tuple[str, float, float, float, float, float]  # text, x0, y0, x1, y1, conf


class TesseractEngine:
    def __init__(self, threads: int = 1, langs: tuple[str, ...] = LANGS, psm: int = PSM):
        self._binary = find_tesseract()
        missing = sorted(set(langs) - installed_langs(self._binary))
        if missing:
            raise OcrUnavailable(
                f"Tesseract language data {missing} is not installed: run `{_INSTALL}`."
            )
        self._langs = "+".join(langs)
        self._psm = psm
        # Tesseract parallelises with OpenMP; one thread per worker process, as for RapidOCR.
        self._env = {**os.environ, "OMP_THREAD_LIMIT": str(threads)}

    def recognize(self, image: Image.Image) -> list[OcrLine]:
        tsv = self._run(image)
        lines: dict[tuple[str, ...], list[Word]] = defaultdict(list)
        for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
            word = _word(row)
            if word is not None:
                lines[(row["block_num"], row["par_num"], row["line_num"])].append(word)
        kept = _drop_phantom_lines(list(lines.values()))
        return [box for words in kept for box in _phrases(words)]

    def _run(self, image: Image.Image) -> str:
        buf = io.BytesIO()
        # Uncompressed PNM: no encoding cost, and Leptonica reads it from stdin.
        erase_rules(image).save(buf, format="PPM")
        cmd = [self._binary, "stdin", "stdout", "-l", self._langs, "--psm", str(self._psm)]
        dpi = image.info.get("dpi")
        if dpi:
            cmd += ["--dpi", str(round(dpi[0]))]
        proc = subprocess.run(
            [*cmd, "tsv"],
            input=buf.getvalue(),
            capture_output=True,
            env=self._env,
            timeout=TIMEOUT_S,
            check=False,
        )
        if proc.returncode != 0:
            err = proc.stderr.decode(errors="replace").strip()
            raise RuntimeError(f"tesseract failed ({proc.returncode}): {err}")
        return proc.stdout.decode("utf-8")


def erase_rules(image: Image.Image) -> Image.Image:
    """A greyscale copy of ``image`` with long horizontal and vertical rules painted white.

    A rule is a run of dark pixels at least ``RULE_MIN`` of the page width (or height) long:
    about 36 pt on an A4 page, longer than any stroke of body or heading text, shorter than
    the rules of a table. Nil dashes ("—") inside cells are far shorter and survive.
    """
    grey = np.asarray(image.convert("L"))
    dark = grey < DARK
    rules = _runs(dark, axis=1) | _runs(dark, axis=0)
    pil = require("PIL.Image", "ingest", package="pillow")
    return pil.fromarray(np.where(rules, np.uint8(255), grey))


def _runs(dark: np.ndarray, axis: int) -> np.ndarray:
    """Pixels covered by an all-dark window of length ``RULE_MIN * size`` along ``axis``."""
    d = dark if axis == 1 else dark.T
    n = d.shape[1]
    length = max(int(RULE_MIN * n), 8)
    if length >= n:
        return np.zeros_like(dark)
    cum = np.pad(np.cumsum(d, axis=1, dtype=np.int32), ((0, 0), (1, 0)))
    starts = (cum[:, length:] - cum[:, :-length]) == length  # window [x, x + length) all dark
    # A pixel is covered when some window starting within (x - length, x] is all dark.
    cs = np.pad(np.cumsum(starts, axis=1, dtype=np.int32), ((0, 0), (1, 0)))
    x = np.arange(n)
    hi = np.minimum(x + 1, starts.shape[1])
    lo = np.clip(x - length + 1, 0, starts.shape[1])
    covered = (cs[:, hi] - cs[:, lo]) > 0
    return covered if axis == 1 else covered.T


def find_tesseract() -> str:
    path = shutil.which("tesseract")
    if path is None:
        raise OcrUnavailable(f"the `tesseract` binary is not on PATH: run `{_INSTALL}`.")
    return path


@cache
def installed_langs(binary: str) -> frozenset[str]:
    out = subprocess.run([binary, "--list-langs"], capture_output=True, text=True, check=False)
    # The first line is a header ("List of available languages in ..."), stdout or stderr.
    names = (out.stdout + out.stderr).splitlines()
    return frozenset(n.strip() for n in names if n.strip() and " " not in n.strip())


def _word(row: dict[str, str]) -> Word | None:
    text = (row.get("text") or "").strip()
    if row["level"] != "5" or not text:
        return None
    x0, y0 = float(row["left"]), float(row["top"])
    x1, y1 = x0 + float(row["width"]), y0 + float(row["height"])
    return text, x0, y0, x1, y1, max(float(row["conf"]), 0.0) / 100


def _drop_phantom_lines(lines: list[list[Word]]) -> list[list[Word]]:
    """Drop a line lying inside a more confident line's box: a misreading of the same ink.

    With ``--psm 6`` Tesseract sometimes reads the tops of large heading glyphs as a line of
    its own ("AN s =" above "合并资产负债表"). Lines of a table may overlap vertically where a
    cell wraps, but then their words sit side by side, not inside each other's box.
    """
    boxes = [_line_box(ws) for ws in lines]
    return [ws for ws, box in zip(lines, boxes, strict=True) if not _is_phantom(ws, box, boxes)]


def _line_box(words: list[Word]) -> tuple[float, float, float, float, float]:
    return (
        min(w[1] for w in words),
        min(w[2] for w in words),
        max(w[3] for w in words),
        max(w[4] for w in words),
        _conf(words),
    )


def _is_phantom(words: list[Word], box: tuple[float, ...], boxes: list[tuple[float, ...]]) -> bool:
    top, bottom, conf = box[1], box[3], box[4]
    for x0, y0, x1, y1, c in boxes:
        covered = min(bottom, y1) - max(top, y0) > PHANTOM_OVERLAP * max(bottom - top, 1.0)
        if c > conf and covered and all(w[1] < x1 and w[3] > x0 for w in words):
            return True
    return False


def _conf(words: list[Word]) -> float:
    return sum(w[5] for w in words) / len(words)


def _phrases(words: list[Word]) -> list[OcrLine]:
    """Split one Tesseract line into phrase boxes at gaps wider than a word space."""
    words = sorted(words, key=lambda w: w[1])
    unit = median(w[4] - w[2] for w in words)
    groups: list[list[Word]] = [[words[0]]]
    for w in words[1:]:
        if _new_phrase(groups[-1][-1], w, unit):
            groups.append([w])
        else:
            groups[-1].append(w)
    return [_merge(g) for g in groups]


def _new_phrase(prev: Word, word: Word, unit: float) -> bool:
    gap = (word[1] - prev[3]) / unit
    if gap > PHRASE_GAP:
        return True
    if _cut_figure(prev[0], word[0]):
        return False  # the rest of a figure that chi_sim cut at its separator
    two_figures = _HAS_DIGIT.search(prev[0]) and _HAS_DIGIT.search(word[0])
    return bool(two_figures) and gap > FIGURE_GAP


def _merge(group: list[Word]) -> OcrLine:
    box = (
        min(w[1] for w in group),
        min(w[2] for w in group),
        max(w[3] for w in group),
        max(w[4] for w in group),
    )
    return OcrLine(_join_words([w[0] for w in group]), box, _conf(group))


def _join_words(words: list[str]) -> str:
    # chi_sim cuts figures at their separators ("8,137,304." "26", "82," "757."). Close those
    # up; a comma before anything but a 3-digit group keeps its space ("December 31, 2022").
    out = words[0]
    for w in words[1:]:
        out = out + w if _cut_figure(out, w) else join_pieces([out, w])
    return out


def _cut_figure(left: str, right: str) -> bool:
    if _DECIMAL_CUT.search(left):
        return right[0].isdigit()
    return bool(_GROUP_CUT.search(left) and _GROUP.match(right))
