"""Negative samples: questions the reports cannot answer, and answers that say why.

Three kinds: a metric the report does not disclose (no fact of that metric was extracted from
the report), a year none of the company's reports covers, and a
company with no report in the corpus. The builder samples these to the configured share.
"""

from __future__ import annotations

from domainsft.dataset import render
from domainsft.dataset.families.base import Context, example, pick, rng
from domainsft.domains.finance.templates import family
from domainsft.records import Example


def generate(ctx: Context) -> list[Example]:
    out = []
    for report in ctx.index.reports.values():
        out += _undisclosed(ctx, report)
        out += _wrong_year(ctx, report)
    out += _unknown_company(ctx)
    return out


def _ask(ctx: Context, kind: str, lang: str, slots: dict[str, str], reports=()) -> Example:
    r = rng(ctx, "negative", kind, *sorted(slots.items()))
    q = pick(r, "lookup", "question", lang).format(**slots)
    a = pick(r, "negative", kind, lang).format(**slots)
    ex = example("negative", lang, q, a, [], None, reports=list(reports), negative_kind=kind)
    ex.meta["is_negative"] = True
    ex.meta["company"] = slots["company"]
    return ex


def _undisclosed(ctx: Context, report) -> list[Example]:
    disclosed = {m for (d, m, _) in ctx.index.best if d == report.doc_id}
    lang = report.lang
    out = []
    for metric in family("negative")["metrics"]:
        if metric in disclosed:
            continue
        slots = render.names(report) | {
            "metric": render.label(metric, lang),
            "period": render.templates()["period"]["year"][lang].format(year=report.year),
        }
        out.append(_ask(ctx, "undisclosed", lang, slots, [report]))
    return out


def _wrong_year(ctx: Context, report) -> list[Example]:
    years = ctx.index.years(report.company)
    if report.year != years[-1]:
        return []  # one question per company is enough
    lang = report.lang
    missing = [years[-1] + 1, years[0] - 2]  # years[0] - 1 is a comparative column
    out = []
    for year, metric in ((y, m) for y in missing for m in family("negative")["metrics"]):
        slots = render.names(report) | {
            "year": str(year),
            "years": f"{years[0] - 1}-{years[-1]}",
            "metric": render.label(metric, lang),
            "period": render.templates()["period"]["year"][lang].format(year=year),
        }
        out.append(_ask(ctx, "wrong_year", lang, slots))
    return out


def _unknown_company(ctx: Context) -> list[Example]:
    known = {r.company for r in ctx.index.reports.values()}
    years = sorted({r.year for r in ctx.index.reports.values()}) or [2023]
    out = []
    for lang in ("zh", "en"):
        for name in family("negative")["unknown_companies"][lang]:
            if name in known:
                continue
            for metric in family("negative")["metrics"]:
                slots = {
                    "company": name, "short": name, "year": str(years[-1]),
                    "metric": render.label(metric, lang),
                    "period": render.templates()["period"]["year"][lang].format(year=years[-1]),
                }  # fmt: skip
                out.append(_ask(ctx, "unknown_company", lang, slots))
    return out
