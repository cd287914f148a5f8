"""Auditing an answer someone else wrote (``domainsft verify``): the verifier over the reports
the question (else the answer itself) is about, every page of them as evidence."""

from __future__ import annotations

from pathlib import Path

from domainsft.assistant.directory import Directory
from domainsft.assistant.evidence import Evidence
from domainsft.assistant.scope import group_by_doc, scope_of
from domainsft.assistant.understand import understand
from domainsft.assistant.verifier import Verification, verify
from domainsft.corpus import iter_pages, load_facts, page_text
from domainsft.evidence import Passage


def audit(corpus: str | Path, answer: str, question: str = "") -> Verification:
    facts = load_facts(corpus)
    directory = Directory.from_facts(facts)
    query = understand(question or answer, directory)
    scope = scope_of(query, directory, group_by_doc(facts))
    if not scope.companies:  # nothing names a company: the whole corpus is evidence
        return verify(answer, Evidence(facts), question)
    docs = set(scope.doc_ids)
    shown = [Passage(p.doc_id, p.page, page_text(p)) for p in iter_pages(corpus, docs)]
    years = sorted({y for ys in scope.years.values() for y in ys})
    return verify(answer, Evidence(scope.facts, shown), question, years)
