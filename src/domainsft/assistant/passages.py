"""The report pages a question's prompt shows: the pages of the facts the draft uses, then the
pages the retrieval kernel (``domainsft.retrieval``) ranks best for the question among the
reports in scope, until ``top_k`` pages are shown; each is cut to ``max_chars`` around the lines
that matter. The retrieved pages are what the model really gets besides the gold ones: the
dataset's grounded examples carry them as their distractors."""

from __future__ import annotations

from domainsft.assistant.draft import Draft
from domainsft.assistant.scope import Scope
from domainsft.assistant.understand import Query
from domainsft.corpus import by_key, page_text
from domainsft.domains.finance.sections import heading_name
from domainsft.evidence import Passage
from domainsft.records import Page
from domainsft.retrieval import PageIndex


class PageStore:
    def __init__(self, pages: list[Page], max_chars: int, index: PageIndex | None = None):
        """``index``: the retriever over the same pages (None: only the facts' pages)."""
        self.pages = by_key(pages)
        self.max_chars = max_chars
        self.sources = {p.doc_id: p.source for p in pages}
        self.index = index

    def for_question(self, query: Query, scope: Scope, d: Draft, top_k: int) -> list[Passage]:
        wanted: list[tuple[str, int]] = [(f.doc_id, f.page) for f in d.facts] + d.pages
        if query.page is not None:
            wanted += [(doc, query.page) for doc in scope.doc_ids]
        wanted = list(dict.fromkeys(wanted))
        if len(wanted) < top_k:
            found = [k for k in self.retrieve(query.text, scope, top_k) if k not in wanted]
            wanted += found[: top_k - len(wanted)]
        out = []
        for key in wanted:
            page = self.pages.get(key)
            if page is not None:
                lines = [f.evidence for f in d.facts if (f.doc_id, f.page) == key]
                lines += [q.strip("…") for k, q in zip(d.pages, d.quotes, strict=True) if k == key]
                out.append(Passage(key[0], key[1], self._cut(page_text(page), lines)))
        return out

    def retrieve(self, question: str, scope: Scope, k: int) -> list[tuple[str, int]]:
        """The ``k`` best pages for ``question`` among the reports in scope, the companies'
        names taken out of the query (printed on most of their pages, they only add noise)."""
        if self.index is None or not scope.doc_ids or k < 1:
            return []
        names = [n for c in scope.companies for n in (c.name, c.short, c.code) if n]
        hits = self.index.search(question, k, docs=scope.doc_ids, ignore=names)
        return [(h.doc_id, h.page) for h in hits]

    def section_pages(self, doc_ids: list[str], section: str) -> list[int]:
        """The pages of those reports with a line that opens with the section's name (its
        heading, or its line in the table of contents), its numbering aside, in page order."""
        wanted = " ".join(section.casefold().split())
        found = []
        for (doc, number), page in self.pages.items():
            lines = (heading_name(line).casefold() for line in page.text.splitlines())
            if doc in doc_ids and any(line.startswith(wanted) for line in lines):
                found.append(number)
        return sorted(set(found))

    def _cut(self, text: str, lines: list[str]) -> str:
        """The page, or ``max_chars`` of it centred on the first evidence line it holds."""
        if len(text) <= self.max_chars:
            return text
        at = next((text.find(line) for line in lines if line and line in text), 0)
        start = max(0, at - self.max_chars // 3)
        end = start + self.max_chars
        # Never inside a word or a number: a cut through "174,551.89" would show "74,551.89",
        # a figure the page does not print, that the model may copy and the verifier accept.
        while 0 < start < at and not text[start - 1].isspace():
            start += 1
        while end < len(text) and end > start and not text[end].isspace():
            end -= 1
        return text[start:end].strip()
