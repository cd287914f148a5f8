"""Row labels to metric ids: normalise the printed label, then look it up in the taxonomy.

Lookup order, each step only when the one before found nothing:

1. the exact label (after normalisation) among the taxonomy's labels and synonyms, or a
   combined label that names two metrics (基本/稀释每股收益);
2. the pack's label patterns (company-specific English labels such as "Net income attributable
   to 3M");
3. the label with one qualifier taken off ("Total revenue" -> revenue, "营业收入合计" -> 营业收入).

Where one label belongs to several metrics, the statement being read decides. Exact labels
always win over patterns, so 营业总收入 stays total operating revenue and 归母净利润 stays the
attributable net profit.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from domainsft.domains.finance import metrics
from domainsft.domains.finance.statements import layout
from domainsft.facts.text import compact

_CONFIDENCE = {"exact": 1.0, "combined": 1.0, "pattern": 0.95, "fallback": 0.9, "note": 0.9}


@dataclass(frozen=True)
class LabelMatch:
    metrics: tuple[str, ...]  # usually one; two for a combined label
    how: str  # exact | combined | pattern | fallback | note
    preferred: bool  # a total/net line: wins over a sub-line of the same metric

    @property
    def confidence(self) -> float:
        return _CONFIDENCE[self.how]


def normalise_label(label: str) -> str:
    """The lookup key of a printed label: compact form without numbering, connectives, unit
    notes and footnote marks (``（一）基本每股收益（元／股）`` -> ``基本每股收益``)."""
    lay = layout()
    key = lay.strip_inner.sub("", compact(label))
    for _ in range(4):  # prefixes and suffixes can stack: "一、其中：" or "(元/股)(注1)"
        before = key
        key = lay.strip_prefix.sub("", key)
        key = lay.strip_suffix.sub("", key)
        if key == before:
            break
    return key


@cache
def _index() -> dict[str, tuple[str, ...]]:
    owners: dict[str, list[str]] = {}
    for metric in metrics().values():
        if metric.derived:
            continue
        for label in metric.labels:
            key = normalise_label(label)
            if key and metric.id not in owners.setdefault(key, []):
                owners[key].append(metric.id)
    return {k: tuple(v) for k, v in owners.items()}


def _pick(ids: tuple[str, ...], statement: str) -> str | None:
    if len(ids) == 1:
        return ids[0]
    fitting = [i for i in ids if metrics()[i].statement == statement]
    return fitting[0] if len(fitting) == 1 else None


def _exact(key: str, statement: str) -> str | None:
    ids = _index().get(key)
    return _pick(ids, statement) if ids else None


def _pattern(key: str, statement: str) -> str | None:
    for lp in layout().label_patterns:
        if lp.statement and lp.statement != statement:
            continue
        if lp.pattern.search(key):
            return lp.metric
    return None


def lookup(label: str, statement: str = "") -> LabelMatch | None:
    """The metric(s) a printed row label names in the context of ``statement``, or None."""
    lay = layout()
    key = normalise_label(label)
    if not key:
        return None
    preferred = bool(lay.preferred.search(key))
    combined = lay.combined.get(key)
    if combined:
        return LabelMatch(combined, "combined", preferred)
    found = _exact(key, statement)
    if found:
        return LabelMatch((found,), "exact", preferred)
    found = _pattern(key, statement)
    if found:
        return LabelMatch((found,), "pattern", preferred)
    for rx in lay.fallback_strip:
        shorter = rx.sub("", key)
        if shorter != key and shorter:
            found = _exact(shorter, statement)
            if found:
                return LabelMatch((found,), "fallback", preferred)
    return None


def group_row(label: str, group: str | None) -> LabelMatch | None:
    """The metric a bare row label names through the label-only line above it ("Diluted"
    under "Earnings per share:"), or None."""
    if not group:
        return None
    row, line = compact(label).rstrip(":："), compact(group).rstrip(":：")
    for g in layout().group_rows:
        if g.row.search(row) and g.group.search(line):
            return LabelMatch((g.metric,), "pattern", False)
    return None


def note_metric(heading: str) -> tuple[bool, str | None]:
    """Whether ``heading`` is a numbered note heading, and the metric it names
    (``1.应收账款（按账龄披露）`` -> accounts_receivable; ``2.主营业务分地区`` -> none)."""
    m = layout().note_heading.match(compact(heading))
    if not m:
        return False, None
    label = layout().note_heading_strip.sub("", m.group("label"))
    found = lookup(label, "notes")
    return True, found.metrics[0] if found and len(found.metrics) == 1 else None


def is_note_total(label: str) -> bool:
    return bool(layout().note_totals.match(normalise_label(label)))
