"""Metrics and formulas a question names, in question order, longest name first.

Metric labels are found by the domain pack's term matcher (``annotate_terms``), the one that
annotates page text. Two things differ in a question:

* The matcher takes generic labels (博士, Email, Auditor, Sales) only first on a line, where a
  table row or a profile field starts. In a question they stand in a list or after a
  possessive (的博士, the auditor), so a second pass runs with every separator of
  ``questions.yaml: term_separators`` and every space turned into a line break (same length,
  so offsets hold); it adds what it finds where the first pass found nothing.
* A label that ends in ", net" (Accounts receivable, net) can swallow the first word of the
  next item of a list ("accounts receivable, net cash used in investing activities"): where the
  part before the comma is a label of the same metric and a label starts right after the
  comma and runs past the hit, the hit is cut at the comma.
* Formula names and family names of ``formulas.yaml`` (毛利率, ROE) are matched too, and the
  longest name wins across both: 营业利润率 is a formula, not 营业利润 plus a stray 率. So are
  the names questions use for a metric that no report prints as a row label
  (``questions.yaml: metric_synonyms``: 经营现金流, operating cash flow, EPS).

A name that is both a printed metric and a formula (总资产收益率: banks print it, a family
name too; EBITDA) gives the metric and the formula: the printed figure wins where a report has
it, the formula is the fallback. A metric marked ``derived`` with a formula of the same id is
the formula.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from domainsft.domains.finance import metrics
from domainsft.domains.finance.formulas import families, formulas
from domainsft.domains.finance.questions import QUESTIONS_FILE, fold, section
from domainsft.domains.finance.terms import annotate_terms
from domainsft.records import TermAnnotation
from domainsft.utils.jsonl import InputError


@dataclass(frozen=True)
class Term:
    """A metric or formula name in the question; ``text[start:end]`` is the name as written."""

    start: int
    end: int
    metric: str | None  # metric id of metrics.yaml
    formula: str | None  # formula id of formulas.yaml (a family's default variant)


def find_terms(text: str) -> list[Term]:
    """The metric and formula names of ``text``, left to right, without overlap."""
    hits: list[Term] = []
    first = _unglued(text, annotate_terms(text))
    hits += [_metric_term(a.start, a.end, a.metric) for a in first]
    taken = [(a.start, a.end) for a in first]
    for a in annotate_terms(_lines(text)):
        if not any(a.start < e and s < a.end for s, e in taken):
            hits.append(_metric_term(a.start, a.end, a.metric))
    hits += _named_terms(text)
    return _longest(hits)


def _unglued(text: str, found: list[TermAnnotation]) -> list[TermAnnotation]:
    out: list[TermAnnotation] = []
    for a in found:
        comma = a.surface.rfind(",")
        head = a.surface[:comma]
        whole = annotate_terms(head) if comma > 0 else []
        if not (len(whole) == 1 and whole[0].surface == head and whole[0].metric == a.metric):
            out.append(a)
            continue
        rest = a.start + comma + 1
        after = annotate_terms(text[rest:])
        gap = text[rest : rest + after[0].start] if after else "x"
        if after and not gap.strip() and rest + after[0].end > a.end:
            n = after[0]
            out.append(TermAnnotation(a.start, a.start + comma, head, a.metric))
            out.append(TermAnnotation(rest + n.start, rest + n.end, n.surface, n.metric))
        else:
            out.append(a)
    return _drop_overlaps(out)


def _drop_overlaps(found: list[TermAnnotation]) -> list[TermAnnotation]:
    out: list[TermAnnotation] = []
    for a in found:
        if not out or a.start >= out[-1].end:
            out.append(a)
    return out


def _metric_term(start: int, end: int, metric: str) -> Term:
    if metrics()[metric].derived and metric in formulas():
        return Term(start, end, None, metric)
    return Term(start, end, metric, None)


def _lines(text: str) -> str:
    separators = set(section("term_separators"))
    return "".join("\n" if c in separators or c.isspace() else c for c in text)


def _longest(hits: list[Term]) -> list[Term]:
    """Leftmost-longest, no overlap; a metric and a formula over the same span merge."""
    out: list[Term] = []
    for t in sorted(hits, key=lambda t: (t.start, -(t.end - t.start), t.formula is not None)):
        if out and (out[-1].start, out[-1].end) == (t.start, t.end):
            last = out[-1]
            out[-1] = Term(t.start, t.end, last.metric or t.metric, last.formula or t.formula)
        elif not out or t.start >= out[-1].end:
            out.append(t)
    return out


def _named_terms(text: str) -> list[Term]:
    pattern, owner = _name_matcher()
    return [
        Term(m.start(), m.end(), *owner[" ".join(m.group().split())])
        for m in pattern.finditer(fold(text))
    ]


@cache
def _name_matcher() -> tuple[re.Pattern[str], dict[str, tuple[str | None, str | None]]]:
    """Formula, family and synonym names (folded) -> (metric id, formula id); a family names
    its default variant."""
    owner: dict[str, tuple[str | None, str | None]] = {}
    for metric, spec in (section("metric_synonyms") or {}).items():
        if metric not in metrics():
            raise InputError(
                f"{QUESTIONS_FILE}: metric_synonyms: {metric!r} is no metric id of metrics.yaml"
            )
        for name in [*(spec.get("zh") or []), *(spec.get("en") or [])]:
            owner[_key(name)] = (metric, None)
    for spec in families().values():
        for name in spec["zh"] + spec["en"]:
            owner[_key(name)] = (None, spec["default"])
    for f in formulas().values():
        for name in f.zh + f.en:
            owner[_key(name)] = (None, f.id)
    names = sorted(owner, key=lambda k: (-len(k), k))
    return re.compile("|".join(_pattern(k) for k in names)), owner


def _key(name: str) -> str:
    return " ".join(fold(name).split())


def _pattern(key: str) -> str:
    body = r"\s+".join(re.escape(w) for w in key.split())
    left = r"(?<![a-z0-9])" if key[0].isascii() and key[0].isalnum() else ""
    right = r"(?![a-z0-9])" if key[-1].isascii() and key[-1].isalnum() else ""
    return left + body + right
