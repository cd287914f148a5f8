"""Section summary with citations: the key figures one section of one page states (key-figure
tables, management's discussion), listed in reading order with their page, built from the
facts located on that page and the page's own headings; no model writes anything.

Sections are those of ``domains.finance.sections`` (the heading above a figure), the grouping
the answer pipeline drafts a summary answer from.
"""

from __future__ import annotations

from collections import defaultdict

from domainsft.dataset import render
from domainsft.dataset.corpus import Report
from domainsft.dataset.families.base import Context, cell_of, example, pick, rng
from domainsft.domains.finance.sections import by_section, summarised
from domainsft.domains.finance.templates import family, templates
from domainsft.records import Example, Fact

MIN_ITEMS, MAX_ITEMS = 2, 10  # current-year figures per summary


def generate(ctx: Context) -> list[Example]:
    by_page: dict[tuple[str, int], list[Fact]] = defaultdict(list)
    for f in ctx.index.facts.values():
        if summarised(f):
            by_page[(f.doc_id, f.page)].append(f)
    out = []
    for key in sorted(by_page):
        page, report = ctx.pages.get(key), ctx.index.reports.get(key[0])
        if page is None or report is None:
            continue
        for section, located in by_section(page.text, by_page[key], report.lang).items():
            ex = _one(ctx, report, page.page, section, located)
            if ex is not None:
                out.append(ex)
    return out


def _consistent(ctx: Context, f: Fact) -> bool:
    """False where the report's most confident figure for the same metric and year differs:
    a figure read from prose ("$(661.3) million") can lose its scale, a table cell does not."""
    best = ctx.index.get(f.doc_id, f.metric, f.fiscal_year)
    return best is None or best.value == f.value


def _one(ctx: Context, report: Report, page: int, section: str, located: list[Fact]):
    current: dict[str, Fact] = {}
    prior: dict[str, Fact] = {}
    for f in sorted(located, key=lambda f: -f.confidence):  # stable: reading order breaks ties
        if not _consistent(ctx, f):
            continue
        if f.fiscal_year == report.year:
            current.setdefault(f.metric, f)
        elif f.fiscal_year == report.year - 1:
            prior.setdefault(f.metric, f)
    order = [f for f in located if current.get(f.metric) is f][:MAX_ITEMS]
    if len(order) < MIN_ITEMS:
        return None
    lang = report.lang
    r = rng(ctx, "summary", report.doc_id, page, section)
    t = family("summary")
    items, facts = [], []
    for f in order:
        before = prior.get(f.metric)
        label = render.label(f.metric, lang)
        slots = {"metric": label[:1].upper() + label[1:], "value": render.value_text(f, lang),
                 "page": page}  # fmt: skip
        if before is not None:
            slots["prior_value"] = render.value_text(before, lang)
        items.append(t["item_prior" if before else "item"][lang].format(**slots))
        facts += [f, before] if before else [f]
    period = templates()["period"]["year"][lang].format(year=report.year)
    slots = render.names(report) | {
        "section": section, "page": str(page), "period": period, "n": str(len(order)),
        "cite": render.cite(report, page, lang),
    }  # fmt: skip
    q = pick(r, "summary", "question", lang).format(**slots)
    intro = pick(r, "summary", "intro", lang).format(**slots)
    closing = pick(r, "summary", "closing", lang).format(**slots)
    a = "\n".join([intro, *items, closing])
    cells = [cell_of(f, render.places(f)) for f in facts]
    return example(
        "summary", lang, q, a, facts, None,
        cells=cells, section=section, statement=order[0].statement,
    )  # fmt: skip
