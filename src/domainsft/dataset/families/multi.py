"""Several facts at once: two to four figures of one report and period in one answer."""

from __future__ import annotations

from domainsft.dataset import render
from domainsft.dataset.families.base import Context, example, pick, rng
from domainsft.domains.finance.templates import family
from domainsft.records import Example, Fact

GROUP = (2, 4)  # figures per question


def generate(ctx: Context) -> list[Example]:
    out = []
    for report in ctx.index.reports.values():
        numeric = [f for f in ctx.index.current(report) if f.unit != "text"]
        r = rng(ctx, "multi", report.doc_id)
        r.shuffle(numeric)
        while len(numeric) >= GROUP[0]:
            n = min(r.randint(*GROUP), len(numeric))
            group, numeric = sorted(numeric[:n], key=lambda f: f.metric), numeric[n:]
            out.append(_one(ctx, report, group))
    return out


def _one(ctx: Context, report, group: list[Fact]) -> Example:
    lang = report.lang
    r = rng(ctx, "multi", *(f.fact_id for f in group))
    t = family("multi")
    labels = [render.label(f.metric, lang) for f in group]
    joined = "、".join(labels[:-1]) if lang == "zh" else ", ".join(labels[:-1])
    slots = render.names(report) | {
        "metrics": joined + t["and"][lang] + labels[-1],
        "period": render.period(group[0], lang),
        "report": render.report_name(report, lang),
    }
    items = [
        t["item"][lang].format(
            metric=render.label(f.metric, lang),
            value=render.value_text(f, lang),
            page=f.page,
        )
        for f in group
    ]
    q = pick(r, "multi", "question", lang).format(**slots)
    a = pick(r, "multi", "intro", lang).format(**slots) + "\n" + "\n".join(items)
    return example("multi", lang, q, a, group, None)
