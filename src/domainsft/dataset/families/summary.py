"""Section summary with citations: the key figures one section of one page states (key-figure
tables, management's discussion), listed in reading order with their page, built from the
facts located on that page and the page's own headings; no model writes anything.

A section is the stretch of a page under one heading of the domain pack's layout; figures
above the first heading on a page (a table continued from the page before) belong to the
section's name in ``templates.yaml``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict

from domainsft.dataset import render
from domainsft.dataset.corpus import Report
from domainsft.dataset.families.base import Context, cell_of, example, pick, rng
from domainsft.domains.finance.statements import layout
from domainsft.domains.finance.templates import family, templates
from domainsft.records import Example, Fact, Page

MIN_ITEMS, MAX_ITEMS = 2, 10  # current-year figures per summary
_ENUM = re.compile(r"^(第[一二三四五六七八九十]+节|[(（]?[一二三四五六七八九十\d]+[)）、.]?)\s*")
_NOTE = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")  # "(in thousands of US dollars ...)"
_FIGURES = re.compile(
    r"\s\S*\d"
)  # a column-header row ("主要会计数据 2023年 2022年") is no heading


def generate(ctx: Context) -> list[Example]:
    wanted = set(family("summary")["statements"])
    by_page: dict[tuple[str, int], list[Fact]] = defaultdict(list)
    for f in ctx.index.facts.values():
        if f.statement in wanted and f.unit != "text" and f.scope != "parent":
            by_page[(f.doc_id, f.page)].append(f)
    out = []
    for key in sorted(by_page):
        page, report = ctx.pages.get(key), ctx.index.reports.get(key[0])
        if page is None or report is None:
            continue
        for section, located in _sections(page, by_page[key], report.lang).items():
            ex = _one(ctx, report, page.page, section, located)
            if ex is not None:
                out.append(ex)
    return out


def _sections(page: Page, facts: list[Fact], lang: str) -> dict[str, list[Fact]]:
    """Facts grouped by the heading above them on the page, in reading order."""
    lines = [" ".join(line.split()) for line in page.text.splitlines()]
    text = " ".join(lines)
    headings, offset = [], 0
    for line in lines:
        if _heading(line):
            headings.append((offset, _display(line)))
        offset += len(line) + 1
    placed = []
    for f in facts:
        pos = _position(text, f)
        if pos < 0:
            continue  # not printed on this page as extracted: nothing to cite
        above = [name for start, name in headings if start <= pos]
        name = above[-1] if above else family("summary")["sections"][f.statement][lang]
        placed.append((pos, f.fact_id, name, f))
    out: dict[str, list[Fact]] = defaultdict(list)
    for _, _, name, f in sorted(placed, key=lambda p: p[:2]):
        out[name].append(f)
    return out


def _position(text: str, f: Fact) -> int:
    for needle in (f.evidence, f.printed):
        needle = " ".join(needle.split())
        if needle and (pos := text.find(needle)) >= 0:
            return pos
    return -1


def _heading(line: str) -> bool:
    wanted = set(family("summary")["statements"])
    c = unicodedata.normalize("NFKC", "".join(line.split())).lower().replace("’", "'")
    if not c or len(c) > layout().heading_max_chars or _FIGURES.search(line):
        return False
    return any(p.search(c) for s in layout().sections if s.statement in wanted for p in s.patterns)


def _display(line: str) -> str:
    return _NOTE.sub("", _ENUM.sub("", line)).strip() or line


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
