"""Fact extraction: pages.jsonl -> facts.jsonl (`domainsft facts`).

Reads key-figure tables, income statements, balance sheets and cash-flow statements (also
across page breaks), notes, the company profile and running text of ingested annual reports,
and writes one :class:`domainsft.records.Fact` per figure: metric id of the domain pack, value
in base units with unit and printed scale, fiscal year and period, page and table cell,
evidence and confidence. All report vocabulary (headings, period words, label rules) comes from
``domains/finance/statements.yaml``; this package holds none.

Public API::

    from domainsft.facts import extract, extract_document
    result = extract("corpus", FactsConfig(out="corpus/facts.jsonl"))  # writes the outputs
    doc = extract_document(pages)  # one document's pages -> DocFacts(identity, facts, ...)

Modules, in reading order: ``pipeline`` (files in, files out), ``document`` (one report),
``identity`` (company, code, fiscal year), ``reader`` (walks items, keeps section/unit/header
state), ``items`` (page -> text lines and table rows), ``sections`` (headings, unit lines,
contents pages), ``columns`` and ``periods`` (header rows -> periods), ``labels`` (row label ->
metric), ``values`` (cell -> value with unit), ``profile`` (basic-information rows), ``prose``
(figures in running text), ``resolve`` (conflicts and duplicates), ``candidates`` (building
Fact records).
"""

from domainsft.facts.document import DocFacts, extract_document
from domainsft.facts.pipeline import FactsResult, extract

__all__ = ["DocFacts", "FactsResult", "extract", "extract_document"]
