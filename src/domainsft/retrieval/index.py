"""Search the pages of an ingested corpus: ``PageIndex(pages).search(question, k, docs)``.

A page is indexed by its text (``Page.text``, which holds its table rows too: ingest writes every
row into the text as one line): the text's tokens (``tokenize.py``), their English word pairs
and the page's concept tokens (``concepts.py``). A query is expanded from the domain pack
(``expand.py``) in the languages of the pages searched, BM25 (``bm25.py``) scores the pages and
``rank.py`` picks the top k, covering each metric asked for first.

One BM25 index over the whole corpus, masked to the documents searched, rather than one per
document: measured on the ERC questions (a gold page in the top 3 for 16 of 18 against 15) with
no loss worth the name on the sample reports' questions (benchmarks/bench_retrieval.py;
``per_document=True`` gives the other way). Document frequencies over many reports say better
which words are rare (one report's "merger reserve" lines make "merger" look rare in it).

Results come in rank order; among equal scores the corpus order wins (documents in order of
first appearance in pages.jsonl, pages by number), so the earlier page comes first. A page that
shares no token with the expanded query is never returned.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from domainsft.corpus import by_document, pages_file, read_pages
from domainsft.records import Page
from domainsft.retrieval import cache
from domainsft.retrieval.bm25 import Bm25
from domainsft.retrieval.concepts import PREFIX, concept_tokens
from domainsft.retrieval.expand import DEFAULT_WEIGHTS, Query, Weights, expand_query
from domainsft.retrieval.rank import select
from domainsft.retrieval.tokenize import tokenize, word_pairs
from domainsft.utils.jsonl import InputError

_LANGS = ("zh", "en")


@dataclass(frozen=True)
class Hit:
    """One retrieved page: 1-based ``page`` of document ``doc_id`` (a sha256) and its score."""

    doc_id: str
    page: int
    score: float


class PageIndex:
    """BM25 over the pages of one or more documents, searched within a set of documents."""

    def __init__(
        self,
        pages: Iterable[Page],
        *,
        per_document: bool = False,
        weights: Weights | None = DEFAULT_WEIGHTS,
        _built: tuple[cache.Tokens, Bm25] | None = None,
    ):
        """``weights=None``: no query expansion. ``_built``: tokens and index of the pages in
        corpus order, from the cache (``open``)."""
        self.pages = [p for doc in by_document(pages) for p in doc]
        self.per_document = per_document
        self.weights = weights
        self._tokens, self._all = _built or _build(self.pages)
        self._vocab = {t: i for i, t in enumerate(self._tokens.vocab)}
        self._rows: dict[str, list[int]] = {}  # doc_id -> positions in self.pages, by page
        for i, p in enumerate(self.pages):
            self._rows.setdefault(p.doc_id, []).append(i)
        self._at = {(p.doc_id, p.page): i for i, p in enumerate(self.pages)}
        self._langs = {
            d: _langs_of([self.pages[i] for i in rows]) for d, rows in self._rows.items()
        }
        self._doc_index: dict[str, Bm25] = {}

    @classmethod
    def open(cls, corpus: str | Path, use_cache: bool = True, **options) -> PageIndex:
        """The pages of ``corpus`` (a folder holding ``pages.jsonl``, or the file), with tokens
        and index from ``CORPUS/retrieval/`` when they match the file (written there when not)."""
        path = pages_file(corpus)
        pages = [p for doc in by_document(read_pages(path)) for p in doc]
        if not use_cache:
            return cls(pages, **options)
        keys = [(p.doc_id, p.page) for p in pages]
        where = cache.cache_path(path, cache.cache_key(path))
        built = cache.load(where, keys)
        if built is None:
            built = _build(pages)
            cache.save(where, keys, *built)
        return cls(pages, _built=built, **options)

    @property
    def doc_ids(self) -> list[str]:
        return list(self._rows)

    def page(self, doc_id: str, page: int) -> Page:
        """The page record, or an InputError naming what is missing."""
        at = self._at.get((doc_id, page))
        if at is None:
            raise InputError(f"page {page} of document {doc_id[:12]} is not in the corpus")
        return self.pages[at]

    def query(self, text: str, docs: Iterable[str] | None = None) -> Query:
        """``text`` expanded in the languages of the pages of ``docs`` (all when None)."""
        scope = self._scope(docs)
        langs = tuple(lang for lang in _LANGS if any(lang in self._langs[d] for d in scope))
        return expand_query(text, langs or _LANGS, self.weights)

    def search(
        self,
        text: str,
        k: int = 3,
        docs: Iterable[str] | None = None,
        ignore: Iterable[str] = (),
    ) -> list[Hit]:
        """The ``k`` best pages for ``text`` among the pages of ``docs`` (every document when
        None), in rank order (``rank.py``: several metrics asked for are covered first).
        ``ignore``: phrases to take out of the query first, such as the company's names once
        the search is scoped to its reports (printed on many of its pages, they add noise)."""
        if k < 1:
            raise ValueError(f"k must be >= 1, got {k}")
        scope = self._scope(docs)
        weights = self.query(strip_phrases(text, ignore), scope).weights
        tokens = list(weights)
        rows, matrix = self._token_scores(tokens, scope)
        vector = np.fromiter(weights.values(), dtype=np.float64, count=len(tokens))
        aspects = np.array([t.startswith(PREFIX) for t in tokens], dtype=bool)
        chosen = select(matrix, vector, aspects, k)
        return [self._hit(rows[j], score) for j, score in chosen if score > 0]

    def _token_scores(self, tokens: list[str], scope: list[str]) -> tuple[list[int], np.ndarray]:
        """The rows (positions in ``self.pages``) of the pages of ``scope``, and each query
        token's BM25 weight on each of them (tokens x rows)."""
        ids = [self._vocab.get(t) for t in tokens]
        rows = [i for d in scope for i in self._rows[d]]
        if not self.per_document:
            return rows, self._all.token_scores(ids)[:, rows]
        parts = [self._document_index(d).token_scores(ids) for d in scope]
        return rows, np.concatenate(parts, axis=1)

    def _document_index(self, doc_id: str) -> Bm25:
        if doc_id not in self._doc_index:
            docs = [self._tokens.page(i) for i in self._rows[doc_id]]
            self._doc_index[doc_id] = Bm25.build(docs, len(self._tokens.vocab))
        return self._doc_index[doc_id]

    def _hit(self, row: int, score: float) -> Hit:
        page = self.pages[row]
        return Hit(page.doc_id, page.page, score)

    def _scope(self, docs: Iterable[str] | None) -> list[str]:
        if docs is None:
            return list(self._rows)
        scope = list(dict.fromkeys(docs))
        unknown = [d for d in scope if d not in self._rows]
        if unknown:
            raise InputError(
                f"document(s) {', '.join(d[:12] for d in unknown)} are not in the corpus "
                f"({len(self._rows)} documents); ingest them first (`domainsft ingest`)"
            )
        return scope


def page_tokens(page: Page) -> list[str]:
    """What a page is indexed by: its text's tokens, their English word pairs, then its
    concept tokens."""
    tokens = tokenize(page.text)
    return tokens + word_pairs(tokens) + concept_tokens(page.text)


def strip_phrases(text: str, phrases: Iterable[str]) -> str:
    """``text`` without any of ``phrases`` (case ignored), longest first."""
    for phrase in sorted((p for p in phrases if p), key=len, reverse=True):
        text = re.sub(re.escape(phrase), " ", text, flags=re.IGNORECASE)
    return text


def _build(pages: list[Page]) -> tuple[cache.Tokens, Bm25]:
    tokens = cache.Tokens.of([page_tokens(p) for p in pages])
    docs = [tokens.page(i) for i in range(len(tokens))]
    return tokens, Bm25.build(docs, len(tokens.vocab))


def _langs_of(pages: list[Page]) -> set[str]:
    """The languages of a document's pages (``und`` pages, often blank, do not count); both
    when no page has a known language."""
    langs = {p.lang for p in pages} & set(_LANGS)
    return langs or set(_LANGS)
