"""An ingested corpus as every stage reads it: ``pages.jsonl`` and ``facts.jsonl`` in one folder.

``domainsft ingest --out CORPUS`` writes ``CORPUS/pages.jsonl`` and ``domainsft facts`` writes
``CORPUS/facts.jsonl``. Fact extraction, the dataset builder, evaluation, retrieval and the
assistant all read them through this module, so that a bad line is reported the same way
everywhere (file, line, what is wrong, the command that regenerates the file) and a document is
always named by the same id: the sha256 of its bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from domainsft.records import Fact, Page, read_facts
from domainsft.utils.hashing import file_sha256
from domainsft.utils.jsonl import InputError, read_jsonl

PAGE_HINT = (
    "each line must be one page record as `domainsft ingest` writes it (doc_id, source, page, "
    "text, tables ...); re-run `domainsft ingest` to regenerate the file"
)


def document_id(path: str | Path) -> str:
    """A document's id: the sha256 of the file's bytes (the same report under two names is one
    document)."""
    return file_sha256(path)


def document_id_of_bytes(data: bytes) -> str:
    """``document_id`` of bytes already in memory."""
    return hashlib.sha256(data).hexdigest()


def pages_file(corpus: str | Path) -> Path:
    """``corpus`` is a folder holding ``pages.jsonl``, or the file itself."""
    path = Path(corpus)
    return path if path.suffix == ".jsonl" else path / "pages.jsonl"


def facts_file(corpus: str | Path) -> Path:
    """``corpus`` is a folder holding ``facts.jsonl``, or the file itself."""
    path = Path(corpus)
    return path if path.suffix == ".jsonl" else path / "facts.jsonl"


def iter_pages(corpus: str | Path, docs: Iterable[str] | None = None) -> Iterator[Page]:
    """The page records of a corpus in file order, checked; only those of ``docs`` when given
    (the other lines are still checked for shape, not turned into records)."""
    path = pages_file(corpus)
    if not path.exists():
        raise InputError(
            f"{path}: no pages file; pass the folder `domainsft ingest --out` wrote "
            "(it holds pages.jsonl)"
        )
    wanted = set(docs) if docs is not None else None
    for lineno, record in read_jsonl(path):
        if "doc_id" not in record or "page" not in record:
            raise InputError(
                f'{path}:{lineno}: a page record needs "doc_id", "page" and "text"; {PAGE_HINT}'
            )
        if wanted is not None and str(record["doc_id"]) not in wanted:
            continue
        yield _page(path, lineno, record)


def read_pages(corpus: str | Path, docs: Iterable[str] | None = None) -> list[Page]:
    """Every page of the corpus (or of ``docs``), in file order."""
    return list(iter_pages(corpus, docs))


def by_document(pages: Iterable[Page]) -> list[list[Page]]:
    """Pages grouped by document, documents in order of first appearance, pages by number."""
    docs: dict[str, list[Page]] = {}
    for page in pages:
        docs.setdefault(page.doc_id, []).append(page)
    return [sorted(group, key=lambda p: p.page) for group in docs.values()]


def by_key(pages: Iterable[Page]) -> dict[tuple[str, int], Page]:
    """Pages keyed by ``(doc_id, page)``."""
    return {(p.doc_id, p.page): p for p in pages}


def page_text(page: Page, tables: bool = True) -> str:
    """The page's text and, with ``tables``, its table rows one per line (cells joined by a
    space): what a citation's figure is looked up in."""
    rows = [" ".join(str(c) for c in row) for table in page.tables for row in table]
    return page.text + ("\n" + "\n".join(rows) if tables and rows else "")


def load_facts(corpus: str | Path) -> list[Fact]:
    """The facts of a corpus; a missing file names the command that writes it."""
    path = facts_file(corpus)
    if not path.exists():
        folder = path.parent
        raise InputError(
            f"{path}: no facts file; run `domainsft facts {folder} --out {path}` first "
            "(it reads the pages.jsonl that `domainsft ingest` wrote)"
        )
    return read_facts(path)


def _page(path: Path, lineno: int, record: dict) -> Page:
    try:
        page = Page.from_dict(record)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{path}:{lineno}: not a page record ({exc}); {PAGE_HINT}") from None
    problem = _check(page)
    if problem:
        raise InputError(f"{path}:{lineno}: {problem}; {PAGE_HINT}")
    return page


def _check(page: Page) -> str:
    if not isinstance(page.doc_id, str) or not page.doc_id:
        return "`doc_id` must be a non-empty string"
    if not isinstance(page.page, int) or isinstance(page.page, bool) or page.page < 1:
        return f"`page` must be a 1-based integer, got {page.page!r}"
    if not isinstance(page.text, str):
        return "`text` must be a string"
    tables_ok = isinstance(page.tables, list) and all(
        isinstance(t, list) and all(isinstance(r, list) for r in t) for t in page.tables
    )
    return "" if tables_ok else "`tables` must be a list of tables of rows of cells"
