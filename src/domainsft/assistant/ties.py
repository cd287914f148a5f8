"""Which metric and year a figure of an answer speaks about ("营业收入为 12.35 亿元", "revenue of
$2,254.2 million in FY2023"), so that the verifier can hold it to that fact.

A figure is *tied* to the nearest metric label before it in its clause (a line, a sentence, a
clause up to ``；``; a page citation in brackets does not count) — the domain pack's term matcher
finds the labels — and to the years of that clause, else the years the question asks about. A
prior-year cue right after the figure ("a year earlier", "上年") or between the label and it
moves the year back by one. A growth cue right before a percentage ("同比增长", "an increase
of") ties it to the metric's growth rate instead of its value. The cue words are the domain pack's
(``assistant.yaml``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from domainsft.domains.finance import metrics
from domainsft.domains.finance.assistant import phrases
from domainsft.domains.finance.formulas import families, formulas
from domainsft.domains.finance.terms import annotate_terms
from domainsft.grounding import BRACKETED, PERCENT
from domainsft.numbers import Quantity, find_quantities

_CLAUSE = re.compile(r"\n|[。；;!?！？]|(?<=[a-z0-9%)])\.\s+(?=[A-Z])")


@dataclass(frozen=True)
class Tie:
    metric: str
    years: tuple[int, ...]  # the candidates, the most likely first
    growth: bool = False  # the figure is the metric's growth rate, not its value


def fits(q: Quantity, metric: str) -> bool:
    """Whether ``q``'s unit can be a value of ``metric`` (by the taxonomy's kind)."""
    kind = metrics()[metric].kind if metric in metrics() else ""
    scaled = q.scale not in ("", "1")
    if kind == "money":
        return q.unit not in PERCENT and (scaled or q.unit not in ("", "times", "persons"))
    if kind == "per_share":
        return q.unit not in PERCENT
    if kind == "ratio":
        return q.unit in PERCENT or (not q.unit and not scaled)
    if kind == "count":
        return q.unit in ("", "persons") and not scaled
    return False


@cache
def formula_names() -> re.Pattern[str]:
    """Every formula's names (``formulas.yaml``), longest first."""
    names = {n for f in formulas().values() for n in (*f.zh, *f.en)}
    names |= {n for fam in families().values() for lang in ("zh", "en") for n in fam.get(lang, [])}
    parts = sorted((re.escape(n) for n in names if n), key=len, reverse=True)
    return re.compile("|".join(parts), re.I)


@cache
def cues() -> dict[str, re.Pattern[str]]:
    raw = phrases()
    out = {key: _alternation(raw[key]) for key in ("prior_year", "growth")}
    # the growth cue, then at most a filler word, then the figure
    out["growth_before"] = re.compile(
        f"(?:{out['growth'].pattern})\\s*(?:了|为|达|约|by|of|about)?\\s*$", re.I
    )
    return out


def _alternation(words: dict[str, list[str]]) -> re.Pattern[str]:
    parts = [re.escape(w) for lang in words.values() for w in lang]
    return re.compile("|".join(sorted(parts, key=len, reverse=True)), re.I)


def ties(text: str, figures: list[Quantity], asked_years: list[int]) -> dict[int, Tie]:
    """``{index into figures: Tie}`` for the figures that a metric label precedes and whose
    unit fits that metric (a percentage is never a money metric's value)."""
    masked = BRACKETED.sub(lambda m: " " * len(m.group(0)), text)
    named = [m.span() for m in formula_names().finditer(masked)]
    terms = [
        (t.start, t.end, t.metric)
        for t in annotate_terms(masked)
        if not any(a <= t.start < b for a, b in named)  # "net profit" in a formula's name
    ]
    years = [q for q in find_quantities(masked) if q.role == "year" and q.span]
    bounds = [0, *(m.end() for m in _CLAUSE.finditer(masked)), len(text) + 1]
    out: dict[int, Tie] = {}
    for i, q in enumerate(figures):
        start, end = q.span or (0, 0)
        lo = max(b for b in bounds if b <= start)
        hi = min(b for b in bounds if b > start)
        before = [t for t in terms if lo <= t[0] and t[1] <= start]
        if not before:
            continue
        label_end, metric = before[-1][1], before[-1][2]
        between = masked[label_end:start]
        clause_years = [int(y.value) for y in years if lo <= y.span[0] < hi]
        picked = list(dict.fromkeys(clause_years + list(asked_years)))
        if cues()["prior_year"].search(between + masked[end : end + 30]):
            picked = [y - 1 for y in picked] + picked
        # "同比增长12.5%", "an increase of 32.89%": the cue stands right before the figure
        growth = bool(cues()["growth_before"].search(between)) and q.unit in PERCENT
        if any(label_end <= a < start for a, _ in named):
            continue  # a formula is named between the label and the figure
        if picked and (growth or fits(q, metric)):
            out[i] = Tie(metric, tuple(dict.fromkeys(picked)), growth)
    return out
