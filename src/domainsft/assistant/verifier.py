"""The numeric verifier: every figure of an answer checked against the evidence, fixed or flagged.

Each figure (years, dates, page and section numbers, list markers and formula constants are
not figures; nor are the figures the question itself states) gets one status:

* ``verified``: a fact or a shown page prints it, at the figure's printed precision, unit and
  scale aware (``Evidence.backing``); its source and page are kept.
* ``recomputed``: the result of arithmetic the answer shows that checks out
  (``arithmetic.shown_computations``), or a ratio, growth rate, sum or difference of two
  figures the answer states that the evidence backs (``grounding.FigureIndex.derivable``), or a
  compound annual growth rate of one metric over the years in evidence.
* ``corrected``: arithmetic that does not come out (the result is replaced by the right value
  at the printed precision), or a figure tied to a metric and year (``ties``) that the fact of
  that metric and year contradicts (replaced by the fact's value, printed in the answer's own
  scale and precision); the original is kept. A figure near a value the answer computed
  (within 1 %) is corrected to it.
* ``unverified``: none of the above, or a misprinted number ("7,52": digit groups that are not
  thousands groups, which no figure is read out of). ``on_unverified`` decides: ``flag`` (keep
  it, report it), ``remove`` (drop the sentences that carry it) or ``refuse`` (no answer).

A figure inside a quotation of the report (“…”, as the drafts of ``prose.py`` quote a sentence)
is verified where the evidence prints it and unverified otherwise, never corrected.

Arithmetic is Decimal throughout and results are rounded ROUND_HALF_UP (the numbers kernel).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal

from domainsft.assistant.arithmetic import Shown, at_step, join_spaced_groups, shown_computations
from domainsft.assistant.evidence import Evidence, Source, fact_source, states
from domainsft.assistant.growth import cagr_values, fact_change, fact_growth
from domainsft.assistant.rewrite import rewrite_number
from domainsft.assistant.ties import Tie, cues, operand_ties, sentence_of, table_ties, ties
from domainsft.assistant.understand import without_context
from domainsft.grounding import BRACKETED, FigureIndex, figures, value_numbers
from domainsft.numbers import Quantity, find_quantities, numbers_equal

STATUSES = ("verified", "recomputed", "corrected", "unverified")
POLICIES = ("flag", "remove", "refuse")
_NEAR = Decimal("0.01")  # a figure within 1 % of a value the answer computed is that value


@dataclass
class NumberCheck:
    printed: str  # as the answer printed it (the original when corrected)
    value: Decimal  # base units (percent points for %); the corrected value when corrected
    unit: str
    status: str
    span: tuple[int, int]
    source: Source | None = None
    corrected: str | None = None  # the printed replacement
    reason: str = ""

    def to_dict(self) -> dict:
        return {
            "value": format(self.value.normalize(), "f"),
            "unit": self.unit,
            "status": self.status,
            "page": self.source.page if self.source else None,
            "original": self.printed if self.corrected is not None else None,
        }


@dataclass
class Verification:
    text: str  # the answer with corrections applied (and, for remove, flagged sentences cut)
    numbers: list[NumberCheck] = field(default_factory=list)
    refused: bool = False

    @property
    def verified(self) -> bool:
        """Every figure verified or recomputed, nothing corrected or left unverified."""
        return all(n.status in ("verified", "recomputed") for n in self.numbers)

    def count(self, status: str) -> int:
        return sum(n.status == status for n in self.numbers)


def verify(
    answer: str,
    evidence: Evidence,
    question: str = "",
    years: list[int] | None = None,
    on_unverified: str = "flag",
    metric: str | None = None,
) -> Verification:
    """Check every figure of ``answer`` against ``evidence`` (see the module docstring):
    ``years`` are the fiscal years the question asks about, ``metric`` the one metric it asks
    for (None when it asks for several or none)."""
    if on_unverified not in POLICIES:
        raise ValueError(f"on_unverified must be one of {POLICIES}, not {on_unverified!r}")
    text = join_spaced_groups(answer)  # same length: spans index ``answer`` too
    asked = _question_figures(question)
    found = [q for q in figures(text) if q.span and not _counter(q, text)]
    found = [q for q in found if not (_echoed(q, asked) and _contrasted(q, found, text))]
    shown = shown_computations(text)
    tied = ties(text, found, years or [], metric) | table_ties(text, found, years or [])
    by_words = operand_ties(text, shown, years or [])
    for i, q in enumerate(found):
        if q.span in by_words:
            tied[i] = by_words[q.span]
    quotes = [m.span() for m in _QUOTED.finditer(text)]
    checks = [
        _quoted(q, evidence)
        if _inside(q, quotes)
        else _check(i, q, found, asked, shown, tied, evidence)
        for i, q in enumerate(found)
    ]
    checks = sorted(checks + _misprints(text), key=lambda c: c.span)
    for c in checks:  # as the answer printed it (the thin spaces were only for reading)
        c.printed = answer[c.span[0] : c.span[1]]
    out = Verification(_apply(answer, checks), checks)
    return _policy(out, on_unverified)


_QUOTED = re.compile(r"“[^“”]*”")


def _inside(q: Quantity, spans: list[tuple[int, int]]) -> bool:
    return q.span is not None and any(a <= q.span[0] and q.span[1] <= b for a, b in spans)


def _quoted(q: Quantity, evidence: Evidence) -> NumberCheck:
    """A figure inside a quotation of the report (“…”): the page prints it or it is
    unverified; a quotation is never corrected, whatever metric its words name."""
    check = NumberCheck(q.printed, q.value, q.unit, "unverified", q.span or (0, 0))
    source = evidence.backing(q)
    if source is not None:
        return replace(check, status="verified", source=source)
    return replace(check, reason="a quotation the evidence does not print")


def _misprints(text: str) -> list[NumberCheck]:
    """Digits joined by commas that are not thousands groups ("7,52"): no figure can be read
    out of them, and an answer that prints one is not verified."""
    return [
        NumberCheck(q.printed, q.value, "", "unverified", q.span, reason="a misprinted number")
        for q in find_quantities(text)
        if q.role == "malformed" and q.span
    ]


def _question_figures(question: str) -> list[Quantity]:
    """The figures of the question itself (a context block pasted before it is evidence)."""
    return value_numbers(join_spaced_groups(without_context(question or "")))


def _counter(q: Quantity, text: str) -> bool:
    """A small whole number that counts the answer's own items ("以上3项", "These 4 key
    figures")."""
    if q.unit or q.scale not in ("", "1") or q.value != q.value.to_integral() or q.value > 50:
        return False
    follows = text[q.span[1] : q.span[1] + 14].lstrip()
    m = cues()["counters"].match(follows)
    return m is not None


def _contrasted(q: Quantity, found: list[Quantity], text: str) -> bool:
    """Whether ``q``'s sentence also states another value: the question's figure quoted
    against the report's ("为129人，而非123人"), not the answer's own claim."""
    masked = BRACKETED.sub(lambda m: " " * len(m.group(0)), text)  # "(… Inc. Annual Report …)"
    lo, hi = sentence_of(masked, q.span[0])
    return any(o.span and lo <= o.span[0] < hi and o.value != q.value for o in found)


def _echoed(q: Quantity, asked: list[Quantity]) -> bool:
    """A figure the question states (a claim to check, a figure to compare against)."""
    return any(numbers_equal(q, a) and q.unit == a.unit for a in asked)


def _check(
    i: int,
    q: Quantity,
    found: list[Quantity],
    asked: list[Quantity],
    shown: list[Shown],
    tied: dict[int, Tie],
    evidence: Evidence,
) -> NumberCheck:
    check = NumberCheck(q.printed, q.value, q.unit, "unverified", q.span or (0, 0))
    result = next((s for s in shown if s.result.span == q.span), None)
    if result is not None:
        return _arithmetic(check, q, result)
    if i in tied and (not _in_expression(q, shown) or tied[i].from_words):
        verdict = _against_tie(check, q, tied[i], evidence)
        if verdict is not None:
            return verdict
    source = evidence.backing(q)
    if source is not None:
        return replace(check, status="verified", source=source)
    if _previous_result(q, shown):
        return replace(check, status="recomputed", reason="a result the answer computed")
    near = _near_computed(q, shown)
    if near is not None:
        return _corrected(check, q, near, "differs from the value the answer computed")
    if _derivable(q, [f for f in found if f is not q and evidence.backing(f)] + asked, evidence):
        return replace(check, status="recomputed", reason="derived from figures it states")
    return replace(check, reason="not in the evidence and not derivable from it")


def _arithmetic(check: NumberCheck, q: Quantity, s: Shown) -> NumberCheck:
    if s.correct:
        return replace(check, status="recomputed", reason="the arithmetic shown checks out")
    if s.value is None:
        return replace(check, reason="the arithmetic shown cannot be computed")
    return _corrected(check, q, s.value, "the arithmetic shown does not come out")


def _in_expression(q: Quantity, shown: list[Shown]) -> bool:
    return any(o.span == q.span for s in shown for o in s.operands)


def _against_tie(
    check: NumberCheck, q: Quantity, tie: Tie, evidence: Evidence
) -> NumberCheck | None:
    """Verified or corrected against the tied metric's facts; None where evidence has none."""
    expected = _tie_values(tie, evidence)
    if not expected:
        return None
    for value, source in expected:
        if _equal_at(q, value):
            status = "recomputed" if tie.growth or tie.change else "verified"
            return replace(check, status=status, source=source)
    if _backed_by_other_metric(q, tie, evidence):
        return None  # a figure of another metric the clause also names
    value, source = expected[0]
    what = "growth rate" if tie.growth else "change" if tie.change else "figure"
    fixed = _corrected(check, q, value, f"contradicts the {what} of {tie.metric} in the report")
    return replace(fixed, source=source)


def _tie_values(tie: Tie, evidence: Evidence) -> list[tuple[Decimal, Source | None]]:
    out = []
    for year in tie.years:
        if tie.growth:
            out += fact_growth(evidence, tie.metric, year)
        elif tie.change:
            out += fact_change(evidence, tie.metric, year)
        else:
            facts = _facts_of(evidence, tie.metric, year, tie.company)
            out += [(fq.value, s) for fq, s in facts]
    return out


def _facts_of(
    evidence: Evidence, metric: str, year: int, company: str = ""
) -> list[tuple[Quantity, Source]]:
    """The facts of ``metric`` for ``year`` (of ``company``, a name a table row prints, full
    or short), consolidated and most confident first."""
    facts = evidence.numeric_facts()
    hits = [(f, q) for f, q in facts if f.metric == metric and f.fiscal_year == year]
    if company:
        hits = [(f, q) for f, q in hits if company in (f.company_short, f.company)
                or company in f.company]  # fmt: skip
    hits.sort(key=lambda h: (h[0].scope == "parent", -h[0].confidence, h[0].page))
    return [(q, fact_source(f)) for f, q in hits]


def _backed_by_other_metric(q: Quantity, tie: Tie, evidence: Evidence) -> bool:
    return any(
        f.metric in tie.others and states(q, fq)
        for f, fq in evidence.numeric_facts()
        if f.fiscal_year in tie.years
    )


def _equal_at(q: Quantity, value: Decimal) -> bool:
    return states(q, Quantity(value=value, unit=q.unit))


def _derivable(q: Quantity, operands: list[Quantity], evidence: Evidence) -> bool:
    """A ratio, growth rate, sum or difference of two figures the answer (or the question)
    states that the evidence backs, or a CAGR the evidence gives. Only the answer's own
    operands are tried: at two decimals, some pair of a page's sixty numbers gives almost
    any percentage."""
    if operands and FigureIndex(operands, repeats_pair=True).derivable(q):
        return True
    return any(_equal_at(q, v) for v in cagr_values(evidence))


def _previous_result(q: Quantity, shown: list[Shown]) -> bool:
    """An operand that is the result of an earlier computation of the answer."""
    return any(
        s.correct
        and s.value is not None
        and s.result.span[1] <= q.span[0]
        and _equal_at(q, s.value)
        for s in shown
    )


def _near_computed(q: Quantity, shown: list[Shown]) -> Decimal | None:
    for s in shown:
        if s.value is None or s.result.unit != q.unit or s.value == 0:
            continue
        if abs(q.value - s.value) <= abs(s.value) * _NEAR:
            return s.value
    return None


def _corrected(check: NumberCheck, q: Quantity, value: Decimal, reason: str) -> NumberCheck:
    rounded = at_step(value, q.precision)
    printed = rewrite_number(q, rounded).replace("\u2009", " ")  # back to the answer's spaces
    return replace(check, status="corrected", corrected=printed, value=rounded, reason=reason)


def _apply(answer: str, checks: list[NumberCheck]) -> str:
    out = answer
    for c in sorted(checks, key=lambda c: c.span[0], reverse=True):
        if c.corrected is not None:
            out = out[: c.span[0]] + c.corrected + out[c.span[1] :]
    return out


_SENTENCE = re.compile(r"[^。！？!?\n]*(?:[。！？!?]|\n|$)")


def _policy(v: Verification, policy: str) -> Verification:
    bad = [n for n in v.numbers if n.status == "unverified"]
    if not bad or policy == "flag":
        return v
    if policy == "refuse":
        return replace(v, text="", refused=True)
    keep = [m.group(0) for m in _SENTENCE.finditer(v.text) if not _carries(m.group(0), bad)]
    return replace(v, text="".join(keep).strip())


def _carries(sentence: str, bad: list[NumberCheck]) -> bool:
    return any(n.printed.strip() and n.printed.strip() in sentence for n in bad)
