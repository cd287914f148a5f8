"""Basic company information: stock code, legal representative, e-mail, auditor ..."""

from __future__ import annotations

from domainsft.dataset import render
from domainsft.dataset.families.base import Context, example, gold_of, pick, rng
from domainsft.records import Example


def generate(ctx: Context) -> list[Example]:
    out = []
    for report in ctx.index.reports.values():
        for f in ctx.index.current(report):
            # Redacted values ([EMAIL]) are placeholders, not facts worth teaching.
            if f.unit != "text" or not f.value or "[" in f.value or f.value == report.company:
                continue
            r = rng(ctx, "info", f.fact_id)
            lang = report.lang
            slots = render.names(report) | {
                "metric": render.label(f.metric, lang),
                "value": f.value,
                "cite": render.cite(report, f.page, lang),
            }
            q = pick(r, "info", "question", lang).format(**slots)
            a = pick(r, "info", "answer", lang).format(**slots)
            out.append(example("info", lang, q, a, [f], gold_of(f, 0)))
    return out
