"""A corpus's tokens and BM25 index on disk, so that opening it a second time is fast.

Tokenising (jieba, the stemmer and the term annotator over every page) and building the BM25
matrix are what opening a corpus costs; reading both back costs milliseconds. The cache lives
beside the pages, in ``CORPUS/retrieval/index-<key>.npz``; the key is the sha256 of
``pages.jsonl``, the tokenizer's version, the taxonomy's digest and the BM25 parameters, so an
edited pages file, tokenizer or metrics.yaml gets a new key, and the stale file is removed when
the new one is written. The file holds the vocabulary, every page's token ids, the
``(doc_id, page)`` of each page (checked against the pages on load) and the BM25 matrix.

The cache is only an acceleration: a folder that cannot be written to or a file that cannot be
read means working without it (with a warning), never an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from domainsft.retrieval.bm25 import K1, B, Bm25
from domainsft.retrieval.concepts import concepts_version
from domainsft.retrieval.tokenize import TOKENIZER_VERSION
from domainsft.utils.hashing import update_from_file

log = logging.getLogger(__name__)
FOLDER = "retrieval"
_SEP = "\n"  # no token holds a line break


@dataclass(frozen=True)
class Tokens:
    """Every page's tokens as ids into ``vocab``: page ``i`` is ``ids[offsets[i]:offsets[i+1]]``."""

    vocab: list[str]
    ids: np.ndarray
    offsets: np.ndarray

    @classmethod
    def of(cls, pages: Sequence[Sequence[str]]) -> Tokens:
        index: dict[str, int] = {}
        ids = [index.setdefault(t, len(index)) for page in pages for t in page]
        offsets = np.cumsum([0] + [len(page) for page in pages], dtype=np.int64)
        return cls(list(index), np.array(ids, dtype=np.int32), offsets)

    def page(self, i: int) -> np.ndarray:
        return self.ids[self.offsets[i] : self.offsets[i + 1]]

    def __len__(self) -> int:
        return len(self.offsets) - 1


def cache_key(pages_path: Path) -> str:
    """sha256 of the pages file's bytes and of everything that shapes its tokens and index."""
    digest = update_from_file(hashlib.sha256(), pages_path)
    digest.update(f"{TOKENIZER_VERSION}|{concepts_version()}|k1={K1}|b={B}".encode())
    return digest.hexdigest()


def cache_path(pages_path: Path, key: str) -> Path:
    return pages_path.parent / FOLDER / f"index-{key[:24]}.npz"


def load(path: Path, keys: Sequence[tuple[str, int]]) -> tuple[Tokens, Bm25] | None:
    """The tokens and BM25 index cached at ``path`` for pages ``keys`` (in that order), or None
    when the file is missing, unreadable or for other pages."""
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            cached = list(zip(str(data["docs"]).split(_SEP), data["pages"].tolist(), strict=True))
            if cached != list(keys):
                return None
            tokens = Tokens(str(data["vocab"]).split(_SEP), data["ids"], data["offsets"])
            index = Bm25(data["data"], data["indices"], data["indptr"], len(keys))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        log.warning("%s: unreadable retrieval cache (%s); indexing the pages again", path, exc)
        return None
    return tokens, index


def save(path: Path, keys: Sequence[tuple[str, int]], tokens: Tokens, index: Bm25) -> None:
    """Write the cache atomically and remove the folder's other index caches."""
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.npz")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(
            tmp,
            vocab=np.array(_SEP.join(tokens.vocab)),
            ids=tokens.ids,
            offsets=tokens.offsets,
            docs=np.array(_SEP.join(doc for doc, _ in keys)),
            pages=np.array([page for _, page in keys], dtype=np.int64),
            data=index.data,
            indices=index.indices,
            indptr=index.indptr,
        )
        os.replace(tmp, path)
        for old in path.parent.glob("index-*.npz"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        log.warning("%s: cannot write the retrieval cache (%s); going on without it", path, exc)
