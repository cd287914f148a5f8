"""Figures in running text: a metric label followed closely by its value.

``实现营业收入587,220.97万元`` and ``Revenue for 2021 was $4,891,951 thousand`` are facts; the
label comes from the term annotations ingest wrote (``Page.terms``), the value is the first
number after it when only a few linking words lie between (``为``, ``was``, ``for 2021``). A
value followed by ``in 2020`` belongs to 2020, and ``compared with $X in 2020`` adds that year's
value. Anything looser (``占营业收入的比例为7.40%``) is not read: prose facts must be sure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache

from domainsft.domains.finance import metrics
from domainsft.domains.finance.statements import layout
from domainsft.facts.candidates import Candidate, Where, number_fact
from domainsft.facts.identity import Identity
from domainsft.facts.periods import Period
from domainsft.facts.text import squash
from domainsft.numbers import Quantity, find_quantities
from domainsft.records import Page, TermAnnotation

_MONEY = frozenset({"CNY", "USD", "HKD", "EUR", "GBP"})
_FITS = {
    "money": lambda q: q.unit in _MONEY,
    "per_share": lambda q: q.unit.endswith("/share"),
    "ratio": lambda q: q.unit == "%",
    "count": lambda q: q.unit == "persons",
}
CONFIDENCE = 0.8
_WINDOW = 240  # characters after a label searched for its value(s)


@dataclass(frozen=True)
class Zone:
    """A stretch of running text (not a table row) and the section it lies in."""

    start: int
    end: int
    statement: str
    scope: str


@cache
def _rx(name: str) -> re.Pattern[str]:
    return re.compile(layout().prose[name], re.I)


def prose_candidates(page: Page, zones: list[Zone], ident: Identity, block: int) -> list[Candidate]:
    """Facts from the running text of ``page``."""
    skip = set(layout().prose["skip_statements"])
    zones = [z for z in zones if z.statement not in skip]
    terms = sorted((t for t in page.terms if _zone(zones, t.start)), key=lambda t: t.start)
    if not terms:
        return []
    out: list[Candidate] = []
    for k, term in enumerate(terms):
        zone = _zone(zones, term.start)
        limit = terms[k + 1].start if k + 1 < len(terms) else len(page.text)
        if zone is None or term.metric not in metrics() or not _free(page.text, term):
            continue
        quantities = _quantities(page.text, term.end, min(limit, term.end + _WINDOW))
        for n, (q, year) in enumerate(_values(page.text, term, quantities, limit)):
            year = year or _year_before(page.text, term) or ident.report_year
            if year is None or _zone(zones, q.span[0]) is None or not _fits(term.metric, q):
                break
            out.append(_candidate(page, ident, term, zone, q, year, n, block))
    return out


def _quantities(text: str, start: int, end: int) -> list[Quantity]:
    """Numbers that can be values in ``text[start:end]``, with spans into ``text``. Only the
    stretch after a label is read: scanning whole pages would cost most of the run time."""
    # A line break inside Chinese text is no space ("1,197百\n万元"): read the stretch without it
    # and map the spans back through the kept positions.
    kept = [i for i in range(start, end) if not _cjk_break(text, i)]
    joined = "".join(text[i] for i in kept)
    out = []
    for q in find_quantities(joined):
        if q.is_candidate and q.span:
            a, b = q.span
            out.append(replace(q, span=(kept[a], kept[b - 1] + 1)))
    return out


def _cjk_break(text: str, i: int) -> bool:
    if text[i] != "\n" or i == 0 or i + 1 >= len(text):
        return False
    return not text[i - 1].isascii() and not text[i + 1].isascii()


def _free(text: str, term: TermAnnotation) -> bool:
    """A Chinese label must not be qualified by the words before it (股东的净利润)."""
    if term.surface[:1].isascii():
        return True
    return bool(_rx("before_zh").search(text[max(term.start - 4, 0) : term.start]))


def _year_before(text: str, term: TermAnnotation) -> int | None:
    m = _rx("year_before").search(text[max(term.start - 12, 0) : term.start])
    return int(m.group("year")) if m else None


def _zone(zones: list[Zone], pos: int) -> Zone | None:
    return next((z for z in zones if z.start <= pos < z.end), None)


def _fits(metric: str, q: Quantity) -> bool:
    m = metrics()[metric]
    check = _FITS.get(m.kind)
    return bool(check and not m.derived and check(q))


def _values(text: str, term: TermAnnotation, qs: list[Quantity], limit: int):
    """The value after the label, then any "compared with" values after it, with their years."""
    q = next((q for q in qs if q.span[0] >= term.end), None)
    if q is None or q.span[0] >= limit:
        return
    gap = text[term.end : q.span[0]]
    if len(gap) > int(layout().prose["max_gap"]) or not _rx("gap").match(gap):
        return
    near = _rx("year_near").search(gap)
    while True:
        end, year = _year_after(text, q.span[1])
        yield q, year or (int(near.group("year")) if near else None)
        near = None
        nxt = next((x for x in qs if x.span[0] >= end), None)
        if nxt is None or nxt.span[0] >= limit:
            return
        between = text[end : nxt.span[0]]
        if _rx("sentence_end").search(between) or not _rx("compared").match(between):
            return
        q = nxt


def _year_after(text: str, pos: int) -> tuple[int, int | None]:
    m = _rx("year_after").match(text[pos : pos + 40])  # sliced: the pattern is anchored with ^
    return (pos + m.end(), int(m.group("year"))) if m else (pos, None)


def _candidate(page, ident, term, zone, q, year, n, block) -> Candidate:
    sentence = _sentence(page.text, term.start, q.span[1])
    w = Where(page, zone.statement or "text", zone.scope, None, None, None, sentence, term.start)
    label = squash(term.surface)
    fact = number_fact(ident, w, term.metric, label, q, Period(year, ""), CONFIDENCE, n)
    return Candidate(fact, block, False)


def _sentence(text: str, start: int, end: int) -> str:
    rx = _rx("sentence_end")
    left = max((m.end() for m in rx.finditer(text, 0, start)), default=0)
    right = rx.search(text, end)
    return squash(text[left : right.end() if right else len(text)])
