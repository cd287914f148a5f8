"""Which metric and year a figure of an answer speaks about ("营业收入为 12.35 亿元", "revenue of
$2,254.2 million in FY2023"), so that the verifier can hold it to that fact.

A figure is *tied* to the nearest name before it in its clause (a line, a sentence, a clause up
to ``；``; a page citation in brackets does not count), found as question understanding finds
names (``measures.find_terms``: metric labels and formula names, the longest first); after a
formula's name it is not tied to a fact. Its years are those its clause names, else the years
the question asks about; a prior-year cue right before or after the figure ("上年同期为…",
"… a year earlier") moves them back by one. A growth cue right before a percentage ("同比增长",
"an increase of") ties it to the metric's growth rate instead of its value; before an amount
("较上年减少52,758,366.45元", "increased by $3.1 million"), to its change over the prior year.
The cue words are the domain pack's (``assistant.yaml``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from domainsft.assistant.measures import find_terms
from domainsft.domains.finance import metrics
from domainsft.domains.finance.assistant import phrases
from domainsft.grounding import BRACKETED, PERCENT
from domainsft.numbers import Quantity, find_quantities

_CLAUSE = re.compile(r"\n|[。；;!?！？]|(?<=[a-z0-9%)])\.\s+(?=[A-Z])")


_SENTENCE_END = re.compile(r"\n|[。!?！？]|(?<=[a-z0-9%)])\.\s+(?=[A-Z])")


def sentence_of(text: str, pos: int) -> tuple[int, int]:
    """The sentence (or line) of ``text`` around ``pos``, ``；`` and ``;`` included."""
    bounds = [0, *(m.end() for m in _SENTENCE_END.finditer(text)), len(text) + 1]
    return max(b for b in bounds if b <= pos), min(b for b in bounds if b > pos)


@dataclass(frozen=True)
class Tie:
    metric: str
    years: tuple[int, ...]  # the candidates, the most likely first
    growth: bool = False  # the figure is the metric's growth rate, not its value
    others: tuple[str, ...] = ()  # the other metrics its clause names ("revenue and profit")
    company: str = ""  # the company a table row names (a comparison of several)
    from_words: bool = False  # an operand named by the formula in words before it
    change: bool = False  # the figure is the metric's change in amount over the prior year


def fits(q: Quantity, metric: str) -> bool:
    """Whether ``q``'s unit can be a value of ``metric`` (by the taxonomy's kind)."""
    kind = metrics()[metric].kind if metric in metrics() else ""
    scaled = q.scale not in ("", "1")
    if kind == "money":  # a bare number of four digits or more reads as an amount in 元/$
        big = not q.unit and abs(q.value) >= 1000
        return q.unit not in PERCENT and (scaled or big or q.unit not in ("", "times", "persons"))
    if kind == "per_share":
        return q.unit not in PERCENT
    if kind == "ratio":
        return q.unit in PERCENT or (not q.unit and not scaled)
    if kind == "count":
        return q.unit in ("", "persons") and not scaled
    return False


@cache
def cues() -> dict[str, re.Pattern[str]]:
    raw = phrases()
    keys = ("prior_year", "growth", "counters", "share", "percent_asked")
    out = {key: _alternation(raw[key]) for key in keys}
    # the growth cue, then at most a filler word, then the figure
    out["growth_before"] = re.compile(
        f"(?:{out['growth'].pattern})\\s*(?:了|为|达|约|by|of|about)?\\s*$", re.I
    )
    return out


def _alternation(words: dict[str, list[str]]) -> re.Pattern[str]:
    parts = [re.escape(w) for lang in words.values() for w in lang]
    return re.compile("|".join(sorted(parts, key=len, reverse=True)), re.I)


def ties(
    text: str, figures: list[Quantity], asked_years: list[int], asked_metric: str | None = None
) -> dict[int, Tie]:
    """``{index into figures: Tie}`` for the figures that a metric label precedes and whose
    unit fits that metric (a percentage is never a money metric's value). In a clause that
    names no metric, a figure is tied to ``asked_metric``, the one metric the question asks
    about ("数据：本年0.94元/股，上年0.89元/股")."""
    masked = BRACKETED.sub(lambda m: " " * len(m.group(0)), text)
    terms = find_terms(masked)  # metric labels and formula names, longest first
    years = [q for q in find_quantities(masked) if q.role == "year" and q.span]
    bounds = [0, *(m.end() for m in _CLAUSE.finditer(masked)), len(text) + 1]
    out: dict[int, Tie] = {}
    for i, q in enumerate(figures):
        start, end = q.span or (0, 0)
        lo = max(b for b in bounds if b <= start)
        hi = min(b for b in bounds if b > start)
        before = [t for t in terms if lo <= t.start and t.end <= start]
        in_clause = [t for t in terms if lo <= t.start < hi]
        if before and before[-1].metric is not None:
            label_end, metric = before[-1].end, before[-1].metric
        elif not in_clause and asked_metric:
            label_end, metric = lo, asked_metric
        else:
            continue  # the nearest name is a formula's, or a later name: not this figure's
        between = masked[label_end:start]
        nxt = figures[i + 1].span[0] if i + 1 < len(figures) and figures[i + 1].span else hi
        # "X a year earlier": the cue after X is X's; in "X, prior year Y" it is Y's
        after = masked[end : min(end + 30, hi)] if nxt >= end + 30 else ""
        right_before = [y for y in years if lo <= y.span[0] and 0 <= start - y.span[1] <= 2]
        in_order = _paired(years, figures, lo, hi, i)
        if right_before:  # "2023年145,278.47万元", "FY2023: $3.0 million": that year only
            picked = [int(right_before[-1].value)]
        elif in_order is not None:  # "from FY2021 to FY2023 … ($4.9 million to $6.3 million)"
            picked = [in_order]
        else:
            picked = _years(years, lo, hi, between, after, asked_years)
        cued = bool(cues()["growth_before"].search(between))
        growth, change = cued and q.unit in PERCENT, cued and q.unit not in PERCENT
        named = {t.metric for t in terms if lo <= t.start < hi and t.metric and t.metric != metric}
        if picked and (growth or fits(q, metric)):
            out[i] = Tie(metric, tuple(picked), growth, tuple(sorted(named)), change=change)
    return out


def _paired(years: list[Quantity], figures: list[Quantity], lo: int, hi: int, i: int) -> int | None:
    """The i-th figure's year where its clause names at least as many years before its
    figures as it has figures (of one unit) after them: the first years, in order."""
    named = [y for y in years if lo <= y.span[0] < hi]
    if len(named) < 2 or not figures[i].span:
        return None
    after = [k for k, q in enumerate(figures) if q.span and named[-1].span[1] <= q.span[0] < hi
             and q.unit == figures[i].unit]  # fmt: skip
    if len(after) < 2 or len(named) < len(after) or i not in after:
        return None
    return int(named[after.index(i)].value)  # the range comes first: "From FY2021 to FY2023"


def _years(
    years: list[Quantity], lo: int, hi: int, between: str, after: str, asked: list[int]
) -> list[int]:
    """The years a figure may belong to: its clause's, else the question's; one back where a
    prior-year cue stands right before or after it ("上年同期为…", "… a year earlier")."""
    clause = list(dict.fromkeys(int(y.value) for y in years if lo <= y.span[0] < hi))
    picked = clause or ([max(asked)] if asked else [])  # no year named: the one asked about
    near = between[-24:]
    cue = cues()["prior_year"].search(near)
    if cue and cues()["growth"].search(near[cue.end() :]):
        cue = None  # "较上年增长12%，达到X": the cue is the growth's, not X's
    if cue or cues()["prior_year"].match(after.lstrip()):  # "X a year earlier"
        return [y - 1 for y in picked]
    return picked


def operand_ties(text: str, shown: list, asked_years: list[int]) -> dict[tuple[int, int], Tie]:
    """Ties of the operands of computations that follow the same formula in words: the i-th
    metric name of the words is the i-th operand (constants such as ``100%`` aside); a
    prior-year cue right before a name ("上年营业收入", "prior-year revenue") makes it the year
    before. Only where the names and the operands pair up one to one."""
    masked = BRACKETED.sub(lambda m: " " * len(m.group(0)), text)
    years = [q for q in find_quantities(masked) if q.role == "year" and q.span]
    bounds = [0, *(m.end() for m in _CLAUSE.finditer(masked)), len(text) + 1]
    out: dict[tuple[int, int], Tie] = {}
    for s in shown:
        if s.words is None:
            continue
        a, b = s.words
        names = [t for t in find_terms(masked[a:b]) if t.metric]
        operands = [q for q in s.operands if not (q.unit in PERCENT and q.value == 100)]
        if not names or len(names) != len(operands):
            continue
        lo = max(x for x in bounds if x <= a)
        clause = [int(y.value) for y in years if lo <= y.span[0] < b]
        picked = list(dict.fromkeys(clause)) or list(asked_years)
        if not picked:
            continue
        latest = [max(picked)]
        for name, q in zip(names, operands, strict=True):
            prior = cues()["prior_year"].search(masked[a : a + name.start][-14:])
            years_of = [y - 1 for y in latest] if prior else latest
            out[q.span] = Tie(name.metric, tuple(years_of), from_words=True)
    return out


def table_ties(text: str, figures: list[Quantity], asked_years: list[int]) -> dict[int, Tie]:
    """Ties of the figures in a Markdown table: the metric its column's header names (a
    prior-year cue there, "上年营业收入", makes it the year before; a growth rate column, a
    percentage's growth), the year and the company its row names (a year cell, a name cell),
    else the year asked about."""
    out: dict[int, Tie] = {}
    offset = 0
    header: list[str] | None = None
    for line in text.splitlines(keepends=True):
        start, offset = offset, offset + len(line)
        if not line.lstrip().startswith("|"):
            header = None
            continue
        cells = _cells(line, start)
        if header is None:
            header = [c for c, _, _ in cells]
            continue
        if all(set(c.strip()) <= set("-: ") for c, _, _ in cells):
            continue  # the separator row
        _row(out, figures, header, cells, asked_years)
    return out


def _cells(line: str, start: int) -> list[tuple[str, int, int]]:
    out, pos = [], start
    parts = line.rstrip("\n").split("|")
    for part in parts[1:-1] if len(parts) > 2 else parts:
        pos = line.find(part, pos - start) + start if part else pos
        out.append((part, pos, pos + len(part)))
        pos += len(part) + 1
    return out


def _row(out: dict[int, Tie], figures, header, cells, asked_years) -> None:
    labels = [c for c, a, b in cells if not any(a <= q.span[0] < b for q in figures if q.span)]
    row_years = [int(q.value) for c in labels for q in find_quantities(c) if q.role == "year"]
    row_years += [int(c.strip()) for c in labels if c.strip().isdigit() and len(c.strip()) == 4]
    company = next((c.strip() for c in labels if c.strip() and not c.strip()[:4].isdigit()), "")
    years = row_years[:1] or ([max(asked_years)] if asked_years else [])
    for i, q in enumerate(figures):
        col = next((k for k, (_, a, b) in enumerate(cells) if q.span and a <= q.span[0] < b), None)
        if col is None or col >= len(header) or not years:
            continue
        names = [t for t in find_terms(header[col]) if t.metric]
        if not names:
            continue
        head = header[col]
        prior = bool(cues()["prior_year"].search(head[: names[0].start][-14:]))
        growth = bool(cues()["growth"].search(head)) and q.unit in PERCENT
        if growth or fits(q, names[0].metric):
            shifted = [y - 1 for y in years] if prior else years
            out[i] = Tie(names[0].metric, tuple(shifted), growth, company=company)
