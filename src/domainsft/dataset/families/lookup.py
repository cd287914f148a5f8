"""Single-fact lookup: one figure of one report, with unit, period and page."""

from __future__ import annotations

from domainsft.dataset import render
from domainsft.dataset.families.base import Context, example, gold_of, pick, rng
from domainsft.records import Example


def generate(ctx: Context) -> list[Example]:
    out = []
    for report in ctx.index.reports.values():
        for f in ctx.index.current(report):
            if f.unit == "text":
                continue
            r = rng(ctx, "lookup", f.fact_id)
            lang = report.lang
            slots = render.names(report) | {
                "metric": render.label(f.metric, lang),
                "period": render.period(f, lang),
                "value": render.value_text(f, lang),
                "cite": render.cite(report, f.page, lang),
            }
            q = pick(r, "lookup", "question", lang).format(**slots)
            a = pick(r, "lookup", "answer", lang).format(**slots)
            out.append(example("lookup", lang, q, a, [f], gold_of(f, render.places(f))))
    return out
