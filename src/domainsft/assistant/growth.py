"""Growth rates the evidence implies: year on year for one metric, and compound annual growth.

Both in percent points, unrounded (the verifier rounds to the precision the answer printed):
growth = (current - prior) / |prior| × 100, CAGR = ((last / first) ^ (1 / years) - 1) × 100,
the formulas of the domain pack's ``formulas.yaml`` templates.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation, localcontext

from domainsft.assistant.evidence import Evidence, Source, fact_source


def best_values(evidence: Evidence) -> dict[tuple[str, int], tuple[Decimal, Source]]:
    """One value per (metric, fiscal year): consolidated, most confident, earliest page."""
    ranked = sorted(
        evidence.numeric_facts(),
        key=lambda h: (h[0].scope == "parent", -h[0].confidence, h[0].page),
    )
    out: dict[tuple[str, int], tuple[Decimal, Source]] = {}
    for f, q in ranked:
        out.setdefault((f.metric, f.fiscal_year), (q.value, fact_source(f)))
    return out


def fact_growth(evidence: Evidence, metric: str, year: int) -> list[tuple[Decimal, Source]]:
    """The growth of ``metric`` in ``year`` over the prior year, where both are in evidence."""
    values = best_values(evidence)
    current, prior = values.get((metric, year)), values.get((metric, year - 1))
    if current is None or prior is None or prior[0] == 0:
        return []
    return [((current[0] - prior[0]) / abs(prior[0]) * 100, current[1])]


def fact_change(evidence: Evidence, metric: str, year: int) -> list[tuple[Decimal, Source]]:
    """The change in amount of ``metric`` in ``year`` over the prior year, signed and not
    ("减少52,758,366.45元" states the size of a fall), where both are in evidence."""
    values = best_values(evidence)
    current, prior = values.get((metric, year)), values.get((metric, year - 1))
    if current is None or prior is None:
        return []
    diff = current[0] - prior[0]
    return [(diff, current[1]), (abs(diff), current[1])]


def cagr_values(evidence: Evidence) -> list[Decimal]:
    """The CAGR of every metric between every two of its years in evidence (first > 0)."""
    values = best_values(evidence)
    by_metric: dict[str, dict[int, Decimal]] = {}
    for (metric, year), (value, _) in values.items():
        by_metric.setdefault(metric, {})[year] = value
    out = []
    for years in by_metric.values():
        for first in years:
            for last in years:
                n = last - first
                if n >= 2 and years[first] > 0 and years[last] > 0:
                    out.append(_cagr(years[first], years[last], n))
    return [v for v in out if v is not None]


def _cagr(first: Decimal, last: Decimal, n: int) -> Decimal | None:
    with localcontext() as ctx:
        ctx.prec = 28
        try:
            return ((last / first) ** (Decimal(1) / n) - 1) * 100
        except InvalidOperation:
            return None
