"""The pages of named reports, for evaluation suites that pick a report's pages themselves (the
Enterprise RAG Challenge names each report by the sha1 of its PDF)."""

from __future__ import annotations

from pathlib import Path

from domainsft.corpus import document_id, pages_file
from domainsft.records import Page
from domainsft.retrieval.index import PageIndex
from domainsft.utils.jsonl import InputError


class ReportPages:
    """The pages of the reports a suite needs, by doc_id, searched with ``PageIndex``.

    Reports are named by their file name without ``.pdf``; a name becomes domainsft's doc_id
    (sha256 of the bytes) through the PDF in ``reports``, or, where that PDF is not at hand,
    through the ``source`` that ingest recorded.
    """

    def __init__(
        self,
        doc_ids: dict[str, str],
        texts: dict[str, dict[int, str]],
        index: PageIndex | None = None,
    ):
        self.doc_ids = doc_ids  # report name → doc_id
        self.texts = texts  # doc_id → {page: text}
        self._index = index or PageIndex(
            Page(doc_id=d, source="", page=n, text=t) for d, pages in texts.items()
            for n, t in sorted(pages.items())
        )  # fmt: skip

    @classmethod
    def load(cls, pages: str | Path, shas: list[str], reports: Path, hint: str) -> ReportPages:
        """From ``pages.jsonl`` (or the folder holding it); ``hint`` ends every error. The
        tokens are cached beside the file (``PageIndex.open``)."""
        path = pages_file(pages)
        if not path.exists():
            raise InputError(f"{path}: no such pages file; {hint}")
        doc_ids = {
            s: document_id(reports / f"{s}.pdf") for s in shas if (reports / f"{s}.pdf").exists()
        }
        index = PageIndex.open(path)
        for page in index.pages:
            stem = Path(page.source).stem
            if stem in shas and stem not in doc_ids:
                doc_ids[stem] = page.doc_id
        held = set(index.doc_ids)
        lacking = [s for s in shas if doc_ids.get(s) not in held]
        if lacking:
            raise InputError(
                f"{path}: holds no pages of report(s) {', '.join(s + '.pdf' for s in lacking)}; "
                + hint
            )
        wanted = {doc_ids[s] for s in shas}
        texts: dict[str, dict[int, str]] = {}
        for page in index.pages:
            if page.doc_id in wanted:
                texts.setdefault(page.doc_id, {})[page.page] = page.text
        return cls({s: doc_ids[s] for s in shas}, texts, index)

    def retrieve(self, doc_id: str, query: str, k: int) -> list[int]:
        """The ``k`` pages of one report that best match ``query``, best first; when fewer
        pages match at all, the report's first other pages fill the ``k`` places."""
        found = [hit.page for hit in self._index.search(query, k, docs=[doc_id])]
        rest = [p for p in sorted(self.texts[doc_id]) if p not in found]
        return (found + rest)[:k]
