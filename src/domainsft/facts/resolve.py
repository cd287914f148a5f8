"""Settle candidates: one value per metric and period within a statement, no repeated facts.

Within one statement block, two rows can name the same metric (``Net sales`` and ``Total
revenues``; the gross and the net ``Property, plant and equipment``). The complete figure wins:
a total/net line over a sub-line, then the more certain label match, then the first printed.
The losers are reported, not dropped silently. The same value for the same metric and period
printed twice on one page (a table and the sentence beside it) is one fact.
"""

from __future__ import annotations

from dataclasses import dataclass

from domainsft.facts.candidates import Candidate
from domainsft.records import Fact


@dataclass(frozen=True)
class Superseded:
    fact: Fact
    by: Fact


def _conflict_key(c: Candidate) -> tuple:
    f = c.fact
    return (c.block, f.page if f.table is None else -1, f.metric, f.fiscal_year, f.period, f.scope)


def _rank(c: Candidate) -> tuple:
    return (not c.preferred, -c.fact.confidence)


def resolve(candidates: list[Candidate]) -> tuple[list[Fact], list[Superseded]]:
    """Facts in reading order, and the candidates that lost a conflict."""
    winners: dict[tuple, Candidate] = {}
    losers: list[Superseded] = []
    for c in candidates:
        if c.fact.unit == "text":
            continue
        key = _conflict_key(c)
        best = winners.get(key)
        if best is None or _rank(c) < _rank(best):
            winners[key] = c
    for c in candidates:
        if c.fact.unit == "text":
            continue
        best = winners[_conflict_key(c)]
        if c is not best and c.fact.value != best.fact.value:
            losers.append(Superseded(c.fact, best.fact))
    lost = {id(s.fact) for s in losers}
    kept = [c.fact for c in candidates if id(c.fact) not in lost]
    return _dedupe(kept), losers


def _dedupe(facts: list[Fact]) -> list[Fact]:
    seen: dict[tuple, int] = {}
    out: list[Fact] = []
    for f in facts:
        key = (f.page, f.metric, f.fiscal_year, f.period, f.scope, f.value, f.unit)
        if key in seen:
            if f.confidence > out[seen[key]].confidence:
                out[seen[key]] = f
            continue
        seen[key] = len(out)
        out.append(f)
    return out
