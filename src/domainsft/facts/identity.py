"""Who published a report and which fiscal year it covers.

Read from the cover and the company profile: ``公司代码：603339 公司简称：四方科技`` lines,
``股票代码``/``公司的中文名称`` rows, running headers such as ``2019年年度报告`` (kept in
``Page.removed_lines``), and a 10-K's ``For the fiscal year ended December 31, 2018`` with the
registrant's name above ``(Exact name of registrant ...)``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from domainsft.domains.finance.statements import layout
from domainsft.facts.items import Item, page_items
from domainsft.facts.periods import month_number
from domainsft.facts.text import compact, squash
from domainsft.records import Page

_DATE = re.compile(r"([A-Za-z]+)\.?\s*(\d{1,2})\s*,?\s*((?:19|20)\d{2})")


@dataclass
class Identity:
    source: str = ""
    company: str = ""
    company_short: str = ""
    stock_code: str = ""
    report_year: int | None = None
    year_end: str = ""  # ISO date the fiscal year ends, or "MM-DD" when only the day is known
    lang: str = "und"


def identify(pages: list[Page]) -> Identity:
    """The identity of one document from its first pages."""
    ident = layout().identity
    first = pages[: int(ident["pages"])]
    text = "\n".join(p.text for p in first)
    rows = [it for p in first for it in page_items(p) if it.cells]
    out = Identity(source=pages[0].source if pages else "", lang=_lang(pages))
    out.year_end, fy = _fiscal_year_end(text)
    out.report_year = fy or _report_year(pages, text)
    if not out.year_end and out.report_year:
        default = ident.get("default_year_end", {}).get(out.lang)
        out.year_end = f"{out.report_year}-{default}" if default else ""
    out.stock_code = _first(ident["code"], "code", text) or _row_value(rows, ident["code_labels"])
    short = _first(ident["short"], "short", text) or _row_value(rows, ident["short_labels"])
    out.company_short = re.sub(ident["short_end"], "", short)
    out.company = (
        _row_value(rows, ident["name_labels"]) or _cover_name(first) or _header_name(pages)
    )
    return out


def _lang(pages: list[Page]) -> str:
    langs = Counter(p.lang for p in pages if p.lang in ("zh", "en"))
    return langs.most_common(1)[0][0] if langs else "und"


def _fiscal_year_end(text: str) -> tuple[str, int | None]:
    m = re.search(layout().identity["fiscal_year_end"], text)
    if not m:
        return "", None
    d = _DATE.search(m.group("date"))
    if not d:
        return "", None
    try:
        month = month_number(d.group(1))
    except StopIteration:
        return "", None
    year = int(d.group(3))
    return f"{year:04d}-{month:02d}-{int(d.group(2)):02d}", year


def _report_year(pages: list[Page], text: str) -> int | None:
    """The most common year in the report-title patterns, running headers first."""
    patterns = [re.compile(p) for p in layout().identity["report_year"]]
    headers = "\n".join(line for p in pages for line in p.removed_lines)
    for source in (headers, text):
        years = Counter(int(m.group("year")) for rx in patterns for m in rx.finditer(source))
        if years:
            return years.most_common(1)[0][0]
    return None


def _first(pattern: str, group: str, text: str) -> str:
    m = re.search(pattern, text)
    return m.group(group).strip() if m else ""


def _row_value(rows: list[Item], labels: list[str]) -> str:
    """The value beside a profile row label, or below it in a column-header row."""
    wanted = {compact(label) for label in labels}
    for k, item in enumerate(rows):
        cells = [c.strip() for c in item.cells or ()]
        for j, cell in enumerate(cells):
            if compact(cell) not in wanted:
                continue
            rest = [c for c in cells[j + 1 :] if c]
            if j == 0 and rest:
                return squash(rest[0])
            below = rows[k + 1].cells if k + 1 < len(rows) else None
            if below and len(below) == len(cells) and below[j].strip():
                return squash(below[j])
    return ""


def _header_name(pages: list[Page]) -> str:
    """A running header naming the group ("THE COCA-COLA COMPANY AND SUBSIDIARIES")."""
    rx = re.compile(layout().identity["name_from_header"])
    names = Counter(
        m.group("name") for p in pages for line in p.removed_lines if (m := rx.match(line))
    )
    return names.most_common(1)[0][0] if names else ""


def _cover_name(pages: list[Page]) -> str:
    """The registrant line above the 10-K marker, else a cover line ending in a legal form."""
    ident = layout().identity
    marker = re.compile(ident["registrant_marker"])
    legal = re.compile(ident["legal_form"], re.I)
    for page in pages[:2]:
        lines = [squash(x) for x in page.text.split("\n") if x.strip()]
        for i, line in enumerate(lines):
            if marker.search(line) and i and not re.search(r"\d", lines[i - 1]):
                return lines[i - 1]
        for line in lines[:20]:
            if len(line) <= 60 and legal.search(line) and not re.search(r"\d{4}", line):
                return line
    return ""
