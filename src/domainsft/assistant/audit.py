"""Auditing an answer someone else wrote (``domainsft verify``): the verifier over the reports
the question (else the answer itself) is about, every page of them as evidence.

``Auditor`` reads the corpus once and audits many answers (the feedback log of a server holds
thousands); ``audit`` is one answer, read and audited in one call.
"""

from __future__ import annotations

from pathlib import Path

from domainsft.assistant.directory import Directory
from domainsft.assistant.evidence import Evidence
from domainsft.assistant.scope import Scope, group_by_doc, scope_of
from domainsft.assistant.understand import Query, understand
from domainsft.assistant.verifier import Verification, verify
from domainsft.corpus import iter_pages, load_facts, page_text
from domainsft.evidence import Passage
from domainsft.records import Fact

KEPT_SCOPES = 32  # sets of reports whose pages an Auditor keeps read


class Auditor:
    """The verifier over one corpus: facts and directory read at once, pages on first need."""

    def __init__(self, corpus: str | Path, facts: list[Fact] | None = None):
        self.corpus = corpus
        self.facts = facts if facts is not None else load_facts(corpus)
        self.directory = Directory.from_facts(self.facts)
        self._by_doc = group_by_doc(self.facts)
        self._pages: dict[frozenset[str], list[Passage]] = {}

    def query(self, text: str) -> Query:
        """What ``text`` (a question, else the answer itself) asks, in this corpus's terms."""
        return understand(text, self.directory)

    def scope(self, query: Query) -> Scope:
        return scope_of(query, self.directory, self._by_doc)

    def __call__(self, answer: str, question: str = "") -> Verification:
        scope = self.scope(self.query(question or answer))
        if not scope.companies:  # nothing names a company: the whole corpus is evidence
            return verify(answer, Evidence(self.facts), question)
        years = sorted({y for ys in scope.years.values() for y in ys})
        return verify(answer, Evidence(scope.facts, self._shown(scope.doc_ids)), question, years)

    def _shown(self, doc_ids: list[str]) -> list[Passage]:
        """Every page of ``doc_ids``, in the order of pages.jsonl. Kept per set of reports:
        the answers of one log ask about a few companies and years, so a few sets recur."""
        key = frozenset(doc_ids)
        if key not in self._pages:
            pages = iter_pages(self.corpus, key)
            self._pages[key] = [Passage(p.doc_id, p.page, page_text(p)) for p in pages]
            while len(self._pages) > KEPT_SCOPES:
                self._pages.pop(next(iter(self._pages)))
        return self._pages[key]


def audit(corpus: str | Path, answer: str, question: str = "") -> Verification:
    return Auditor(corpus)(answer, question)
