"""Walk a document's pages top to bottom and read figures out of its tables.

State carried from item to item (and across page breaks, so a statement that runs over several
pages keeps its heading, unit and column periods): the section the last heading opened, its
scope, the unit line, the header row's periods and, in notes, the item the note is about.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

from domainsft.domains.finance import metrics
from domainsft.domains.finance.statements import Section, layout
from domainsft.facts.candidates import Candidate, Where, number_fact
from domainsft.facts.columns import Columns, assign, header_cells, header_line
from domainsft.facts.identity import Identity
from domainsft.facts.items import (
    Item,
    aligned,
    has_values,
    is_value,
    page_items,
    split_rows,
    unlabelled,
)
from domainsft.facts.labels import LabelMatch, group_row, is_note_total, lookup, note_metric
from domainsft.facts.periods import Period, month_day, parse_period, with_end
from domainsft.facts.profile import ProfileReader, info_metric
from domainsft.facts.prose import Zone
from domainsft.facts.sections import (
    Heading,
    find_heading,
    find_unit,
    is_contents_page,
    opens_with_figures,
)
from domainsft.facts.text import compact, squash
from domainsft.facts.values import UnitContext, read_value
from domainsft.numbers import parse_unit_line
from domainsft.records import Page


@dataclass
class Unmapped:
    page: int
    label: str
    statement: str


@dataclass
class Reader:
    ident: Identity
    section: Section | None = None
    scope: str = ""
    block: int = 0
    unit: tuple[str, str] | None = None
    unit_page: int = 0
    columns: Columns | None = None
    month_day: tuple[int, int] | None = None
    note_metric: str | None = None
    candidates: list[Candidate] = field(default_factory=list)
    unmapped: list[Unmapped] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    profile: ProfileReader = field(init=False)
    zones: list[Zone] = field(default_factory=list)  # running text of the page being read
    carried: int = 0  # pages the current section has been carried over without a heading
    group: str = ""  # the last label-only row (Revenues): an unlabelled total row totals it

    def __post_init__(self) -> None:
        self.profile = ProfileReader(self.ident, counts=self.counts)

    @property
    def statement(self) -> str:
        return self.section.statement if self.section else ""

    def read(self, page: Page) -> None:
        items = page_items(page)
        contents = is_contents_page(items)
        self.zones = []
        self._page_start(items)
        for item in items:
            self._item(page, item, contents)
            if item.cells is None and item.start >= 0:
                self.zones.append(Zone(item.start, item.end, self.statement, self.scope))

    def _item(self, page: Page, item: Item, contents: bool) -> None:
        heading = None if contents else find_heading(item)
        if heading:
            self._open(heading)
        unit = find_unit(item)
        if unit:
            self.unit, self.unit_page = unit, page.page
        if self._header(page, item) or (heading and not has_values(item)):
            return
        if self._note_heading(item):
            return
        if item.cells is not None and aligned(item.cells):
            self._row(page, item, item.cells, item.text)
        elif self.section and self.section.tables and self.columns:
            for k, (label, values) in enumerate(split_rows(item.text) or unlabelled(item.text)):
                self._row(page, item, (label, *values), item.text, k)
        elif item.cells is not None:
            self._row(page, item, item.cells, item.text)
        self._group(item)

    def _group(self, item: Item) -> None:
        """Remember a label-only row ("Revenues"): a total row printed without a label after
        its lines belongs to it."""
        if item.cells is not None:
            if item.cells[0].strip() and not has_values(item):
                self.group = item.cells[0]
        elif len(item.text) < 60 and not any(is_value(t) for t in item.text.split()):
            self.group = item.text

    def _page_start(self, items: list[Item]) -> None:
        """A statement continues over a page break only onto a page that opens with figures."""
        if self.section is None or self.section.carry != "figures":
            return
        self.carried += 1
        too_far = self.carried > layout().max_carry_pages
        if too_far or not opens_with_figures(items, self.ident.report_year):
            self.section, self.scope = None, ""
            self.unit, self.columns, self.month_day = None, None, None
            self.block += 1

    def _open(self, heading: Heading) -> None:
        same = self.section is not None and self.section.name == heading.section.name
        if not same or heading.scope != self.scope:
            self.unit, self.columns, self.month_day = None, None, None
            self.block += 1
        self.section, self.scope = heading.section, heading.scope
        self.note_metric = None
        self.carried = 0

    def _header(self, page: Page, item: Item) -> bool:
        year = self.ident.report_year
        if item.cells is not None:
            cols, from_table = header_cells(item.cells, year), True
        else:
            cols, from_table = header_line(item.text, year), False
        if not cols:
            md = month_day(item.text) if len(item.text) < 90 else None
            if md and not any(is_value(t) for t in item.text.split()[-1:]):
                self.month_day = md
            return self._label_header(item)
        self.columns = Columns(tuple(cols), from_table, page.page, self.block)
        self.profile.columns = {}
        return True

    def _label_header(self, item: Item) -> bool:
        """A row of column names (营业收入 营业成本 毛利率) starts a table without periods."""
        cells = [c for c in item.cells or () if c.strip()]
        if len(cells) < 3 or any(is_value(c) for c in cells) or info_metric(cells[0]):
            return False
        if any(len(compact(c)) > 24 for c in cells):
            return False  # column names are short; long cells are labels run together
        self.profile.column_labels(item.cells or ())
        self.columns = None
        return True

    def _note_heading(self, item: Item) -> bool:
        if self.statement != "notes":
            return False
        cells = [c for c in item.cells or (item.text,) if c.strip() and not parse_unit_line(c)]
        if len(cells) != 1 or parse_period(cells[0], self.ident.report_year):
            return False
        is_heading, found = note_metric(cells[0])
        if is_heading:
            self.note_metric = found
        return is_heading

    def _row(self, page: Page, item: Item, cells: tuple[str, ...], evidence: str, k: int = 0):
        label = cells[0].strip()
        if self.profile.columns:
            self.candidates += self.profile.under_columns(page, item, cells, self.block)
            return
        if not label and self.group and self.columns and any(is_value(c) for c in cells[1:]):
            label = self.group  # an unlabelled total row
        if not label:
            self.profile.sublabel(cells)
            return
        match = self._match(label)
        if match is None:
            statement_row = self.section and self.section.tables and self.section.scope
            if statement_row and any(is_value(c) for c in cells[1:] if c.strip()):
                self.unmapped.append(Unmapped(page.page, squash(label), self.statement))
            return
        offset = item.start if item.table is None else None
        where = Where(
            page, self.statement, self.scope, item.table, item.row, None, evidence, offset, k
        )
        for metric in match.metrics:
            if metrics()[metric].kind == "text":
                found = self.profile.beside(where, metric, label, cells, match, self.block)
                self.candidates += [found] if found else []
            elif self.section and self.section.tables and not self._movement(metric, match):
                self._numbers(where, metric, label, cells, match)
        self.profile.pending_name = ""

    def _movement(self, metric: str, match: LabelMatch) -> bool:
        """A balance-sheet item in a cash-flow statement is its change over the year (Inventories
        (509)), not the balance; only a pattern made for cash-flow labels reads a balance there."""
        lay = layout()
        if self.statement != "cash_flow" or match.how == "pattern":
            return False
        return metrics()[metric].statement in lay.instant_statements

    def _match(self, label: str) -> LabelMatch | None:
        if self.statement == "notes" and self.note_metric and is_note_total(label):
            return LabelMatch((self.note_metric,), "note", True)
        return lookup(label, self.statement) or group_row(label, self.group)

    def _numbers(self, w: Where, metric: str, label: str, cells, match: LabelMatch) -> None:
        pairs = self._pairs(metric, cells)
        ctx = self._unit_context(w.page)
        for i, period in pairs:
            period = with_end(period, self.month_day)
            q = read_value(cells[i], metric, ctx, self.ident.lang)
            if q is None:
                self.counts["cell_unit_mismatch"] += 1
                continue
            conf = match.confidence * (1.0 if self.section and self.section.scope else 0.8)
            conf *= 0.95 if ctx.carried or not ctx.found else 1.0
            conf *= 0.95 if period.relative or not self.columns else 1.0
            at = replace(w, col=i)
            fact = number_fact(self.ident, at, metric, squash(label), q, period, conf)
            self.candidates.append(Candidate(fact, self.block, match.preferred))

    def _pairs(self, metric: str, cells) -> list[tuple[int, Period]]:
        if self.columns and self.columns.section_id == self.block:
            return assign(self.columns, tuple(cells))
        if metrics()[metric].kind == "count" and self.ident.report_year:
            # Headcount tables often print no period: the figure is at the report's year end.
            first = next((i for i in range(1, len(cells)) if is_value(cells[i])), None)
            return [] if first is None else [(first, Period(self.ident.report_year, "instant"))]
        self.counts["row_without_period"] += 1
        return []

    def _unit_context(self, page: Page) -> UnitContext:
        if self.unit is None:
            return UnitContext("", "1", False, False)
        return UnitContext(self.unit[0], self.unit[1], True, self.unit_page != page.page)
