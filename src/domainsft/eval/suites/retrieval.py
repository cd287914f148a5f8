"""A small Okapi BM25 over page texts, and the pages of named reports from ``pages.jsonl``, for
suites that must pick a report's pages themselves.

Pure Python and deterministic: the point is a fixed, explainable context for every model
compared, not the best retriever. Tokens are lower-cased English words (function words dropped,
a crude suffix stripped so that "operations" meets "operating" and "acquisitions" meets
"acquisition"), numbers, and single Chinese characters (no segmenter needed; BM25 over CJK
unigrams is a common baseline).
Parameters k1=1.5, b=0.75 are the usual defaults (Robertson & Zaragoza, 2009, "The
Probabilistic Relevance Framework: BM25 and Beyond").
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from domainsft.utils.jsonl import InputError, read_jsonl

_TOKEN = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)*|[\u3400-\u9fff]")
_FUNCTION_WORDS = """
    a an the of in on at to for from by with and or not no is are was were be been being
    do does did has have had it its this that these those as if than then there their they
    we our us you your he she his her what which who whom whose how when where why any all
    each some such into about over under per me my"""
STOPWORDS = frozenset(_FUNCTION_WORDS.split())
# Longest first; a stem keeps at least 3 letters ("uses" stays, "mergers" → "merg").
_SUFFIXES = ("ational", "ations", "ation", "ions", "ion", "ings", "ing", "ers", "er", "ies",
             "ed", "es", "s")  # fmt: skip


def stem(word: str) -> str:
    """``operations`` → ``operat``, ``operating`` → ``operat``, ``companies`` → ``company``."""
    if not word.isalpha():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def tokenize(text: str) -> list[str]:
    """``The total revenues 1,234.5 营业收入`` → ``total revenu 1,234.5 营 业 收 入``."""
    return [stem(t) for t in _TOKEN.findall(text.lower()) if t not in STOPWORDS]


class BM25:
    """BM25 scores of a query against a fixed list of texts."""

    def __init__(self, texts: Sequence[str], k1: float = 1.5, b: float = 0.75):
        self.k1, self.b = k1, b
        self.docs = [Counter(tokenize(t)) for t in texts]
        self.lengths = [sum(d.values()) for d in self.docs]
        self.avg_len = (sum(self.lengths) / len(self.docs)) if self.docs else 0.0
        df: Counter[str] = Counter()
        for d in self.docs:
            df.update(d.keys())
        n = len(self.docs)
        # The "+1" form of the idf keeps every weight positive, even for a word on most pages.
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    def scores(self, query: str) -> list[float]:
        terms = set(tokenize(query))
        out = []
        for doc, length in zip(self.docs, self.lengths, strict=True):
            norm = self.k1 * (1 - self.b + self.b * length / (self.avg_len or 1))
            out.append(
                sum(
                    self.idf[t] * doc[t] * (self.k1 + 1) / (doc[t] + norm)
                    for t in terms
                    if t in doc
                )
            )
        return out

    def top(self, query: str, k: int) -> list[int]:
        """Indices of the ``k`` best texts, best first; ties keep the text order."""
        scores = self.scores(query)
        return sorted(range(len(scores)), key=lambda i: (-scores[i], i))[:k]


def sha256_file(path: Path) -> str:
    """domainsft's document id: the sha256 of the file's bytes."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class ReportPages:
    """The pages of the reports a suite needs, by doc_id, with one BM25 index per report.

    Reports are named by their file name without ``.pdf`` (the challenge names each by its
    sha1); a name becomes domainsft's doc_id (sha256 of the bytes) through the PDF in
    ``reports``, or, where that PDF is not at hand, through the ``source`` that ingest recorded.
    """

    def __init__(self, doc_ids: dict[str, str], texts: dict[str, dict[int, str]]):
        self.doc_ids = doc_ids  # report name → doc_id
        self.texts = texts  # doc_id → {page: text}
        self._index: dict[str, tuple[list[int], BM25]] = {}

    @classmethod
    def load(cls, pages: str | Path, shas: list[str], reports: Path, hint: str) -> ReportPages:
        """From ``pages.jsonl`` (or the folder holding it); ``hint`` ends every error."""
        path = Path(pages)
        path = path / "pages.jsonl" if path.is_dir() else path
        if not path.exists():
            raise InputError(f"{path}: no such pages file; {hint}")
        doc_ids = {
            s: sha256_file(reports / f"{s}.pdf") for s in shas if (reports / f"{s}.pdf").exists()
        }
        texts: dict[str, dict[int, str]] = {}
        keep = set(doc_ids.values())
        for lineno, rec in read_jsonl(path):
            if "doc_id" not in rec or "page" not in rec:
                raise InputError(f'{path}:{lineno}: not a page record ("doc_id", "page", "text")')
            doc_id, stem = str(rec["doc_id"]), Path(str(rec.get("source", ""))).stem
            if stem in shas and stem not in doc_ids:
                doc_ids[stem] = doc_id
                keep.add(doc_id)
            if doc_id in keep:  # only the reports asked for
                texts.setdefault(doc_id, {})[int(rec["page"])] = str(rec.get("text", ""))
        lacking = [s for s in shas if doc_ids.get(s) not in texts]
        if lacking:
            raise InputError(
                f"{path}: holds no pages of report(s) {', '.join(s + '.pdf' for s in lacking)}; "
                + hint
            )
        return cls(doc_ids, {doc_ids[s]: texts[doc_ids[s]] for s in shas})

    def retrieve(self, doc_id: str, query: str, k: int) -> list[int]:
        """The ``k`` pages of one report that best match ``query``, best first."""
        if doc_id not in self._index:
            numbers = sorted(self.texts[doc_id])
            self._index[doc_id] = (numbers, BM25([self.texts[doc_id][p] for p in numbers]))
        numbers, index = self._index[doc_id]
        return [numbers[i] for i in index.top(query, k)]
