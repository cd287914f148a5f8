"""One document's pages -> its facts: identity, tables, running text, conflicts, provenance."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace

from domainsft.domains.finance.statements import layout
from domainsft.facts.candidates import Candidate, Where, text_fact
from domainsft.facts.identity import Identity, identify
from domainsft.facts.prose import prose_candidates
from domainsft.facts.reader import Reader, Unmapped
from domainsft.facts.resolve import Superseded, resolve
from domainsft.facts.text import squash
from domainsft.records import Fact, Page


@dataclass
class DocFacts:
    identity: Identity
    facts: list[Fact]
    superseded: list[Superseded] = field(default_factory=list)
    unmapped: list[Unmapped] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)


def extract_document(pages: list[Page], prose: bool = True) -> DocFacts:
    """All facts of one document (its pages in page order)."""
    ident = identify(pages)
    reader = Reader(ident)
    for page in pages:
        if page.flags.get("duplicate") and page.duplicate_of:
            reader.counts["duplicate_pages"] += 1
        reader.read(page)
        if prose:
            reader.candidates += prose_candidates(page, reader.zones, ident, reader.block)
    reader.candidates += _pattern_info(pages, ident, reader.candidates)
    facts, superseded = resolve(reader.candidates)
    _fill_identity(ident, facts)
    facts = [_stamp(f, ident) for f in facts]
    return DocFacts(ident, facts, superseded, reader.unmapped, reader.counts)


def _pattern_info(pages: list[Page], ident: Identity, found: list[Candidate]) -> list[Candidate]:
    """Basic-information facts printed in running text (a 10-K's principal executive offices,
    the auditor's signature), for metrics no profile row gave."""
    have = {c.fact.metric for c in found if c.fact.unit == "text"}
    out: list[Candidate] = []
    for metric, patterns in layout().info_patterns.items():
        if metric in have:
            continue
        hit = _first_hit(pages, patterns)
        if hit:
            page, m = hit
            w = Where(page, "profile", "", None, None, None, squash(m.group()), m.start())
            value = squash(m.group("value")).rstrip(".,;")
            out.append(Candidate(text_fact(ident, w, metric, metric, value, 0.8), 0, False))
    return out


def _first_hit(pages: list[Page], patterns) -> tuple[Page, re.Match[str]] | None:
    for page in pages:
        for rx in patterns:
            m = rx.search(page.text)
            if m:
                return page, m
    return None


def _fill_identity(ident: Identity, facts: list[Fact]) -> None:
    """Profile facts complete what the cover did not say."""
    by_metric = {f.metric: f.value for f in facts if f.unit == "text"}
    ident.company = ident.company or by_metric.get("company_name", "")
    ident.stock_code = ident.stock_code or by_metric.get("stock_code", "")


def _stamp(fact: Fact, ident: Identity) -> Fact:
    return replace(
        fact,
        company=ident.company,
        company_short=ident.company_short,
        stock_code=ident.stock_code,
    )
