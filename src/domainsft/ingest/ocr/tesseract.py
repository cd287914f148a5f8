"""Tesseract through its command-line binary: no Python binding, the Debian package is enough.

* Table rules are erased before recognition: with them, Tesseract reads a ruled statement as
  garbage (character recall on ruled Chinese statement pages rose from 0.55 to 0.97).
* ``--psm 6`` (one uniform block of text) keeps each table row on one Tesseract line; the
  automatic layout analysis (``--psm 3``/``4``) cuts statements into column blocks and read
  fewer figures exactly on English statement pages (267 vs 294 of 302).
* Tesseract's TSV gives words; the words of one line are merged into phrase boxes, split at
  column gutters, the same granularity as RapidOCR's boxes, so ``layout`` treats both alike.
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

import numpy as np
from PIL import Image

from domainsft.ingest.ocr.base import OcrLine, OcrUnavailable
from domainsft.ingest.ocr.layout import CELL_GAP, join_pieces

LANGS = ("chi_sim", "eng")
PSM = 6
DARK = 160  # grey level below which a pixel is ink
RULE_MIN = 0.06  # a table rule spans at least this share of the page width (or height)
TIMEOUT_S = 600  # a pathological page must not hang a worker for ever
_INSTALL = "apt-get install tesseract-ocr tesseract-ocr-chi-sim"

_DECIMAL_CUT = re.compile(r"\d\.$")
_GROUP_CUT = re.compile(r"\d,$")
_GROUP = re.compile(r"\d{3}(?![\d])")

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
        return [box for words in lines.values() for box in _phrases(words)]

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
    return Image.fromarray(np.where(rules, np.uint8(255), grey))


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


def _phrases(words: list[Word]) -> list[OcrLine]:
    """Split one Tesseract line at column gutters into phrase boxes."""
    words = sorted(words, key=lambda w: w[1])
    gutter = CELL_GAP * median(w[4] - w[2] for w in words)
    groups: list[list[Word]] = [[words[0]]]
    for w in words[1:]:
        if w[1] - groups[-1][-1][3] > gutter:
            groups.append([w])
        else:
            groups[-1].append(w)
    return [_merge(g) for g in groups]


def _merge(group: list[Word]) -> OcrLine:
    box = (
        min(w[1] for w in group),
        min(w[2] for w in group),
        max(w[3] for w in group),
        max(w[4] for w in group),
    )
    score = sum(w[5] for w in group) / len(group)
    return OcrLine(_join_words([w[0] for w in group]), box, score)


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
