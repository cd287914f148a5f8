"""A small flowing page layout: headings, wrapped paragraphs and tables that split across pages.

Layout happens before any PDF is written, into plain lists of drawing operations per page. That
gives the page number of every fact before rendering (the truth file needs it), the total page
count for ``5 / 24`` footers, and lets a page be rendered twice (once to rasterise it as a scan).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

PAGE_W, PAGE_H = 595.2756, 841.8898  # A4 in points
LEFT, RIGHT = 56.0, PAGE_W - 56.0
TOP, BOTTOM = PAGE_H - 78.0, 66.0
WIDTH = RIGHT - LEFT
_NO_LINE_START = set("，。；：、）》”％%,.;:)")  # punctuation that hangs rather than opening a line


@dataclass(frozen=True)
class Tag:
    kind: str  # fact | pii
    data: dict[str, Any]


@dataclass(frozen=True)
class Cell:
    text: str = ""
    align: str = "l"  # l | r | c
    bold: bool = False
    tags: tuple[Tag, ...] = ()
    indent: float = 0.0  # points, for nested statement lines


@dataclass(frozen=True)
class Token:
    """A run of paragraph text; an atomic token (a number, an ID) is never broken across lines."""

    text: str
    tags: tuple[Tag, ...] = ()
    atomic: bool = False


@dataclass
class Table:
    widths: list[float]  # shares of the text width
    rows: list[list[Cell]]
    header: list[list[Cell]] = field(default_factory=list)
    title: str = ""
    continued: str = ""  # title on the pages a split table continues on
    note: str = ""  # unit line, right-aligned above the table
    size: float = 8.5
    row_h: float = 15.0


@dataclass
class Op:
    x: float
    y: float
    text: str
    font: str  # body | bold
    size: float
    align: str = "l"


@dataclass
class PageOut:
    ops: list[Op] = field(default_factory=list)
    rules: list[tuple[float, float, float, float, float]] = field(default_factory=list)
    sections: set[str] = field(default_factory=set)
    cover: bool = False
    continued: list[str] = field(default_factory=list)  # titles of tables continued on this page


Measure = Callable[[str, str, float], float]  # (text, body|bold, size) -> width in points
Wrapped = tuple[str, tuple[Tag, ...]]  # one output line and the tags it carries


class Flow:
    def __init__(self, measure: Measure, lang: str) -> None:
        self.measure = measure
        self.lang = lang
        self.pages: list[PageOut] = []
        self.placed: list[tuple[Tag, int]] = []  # (tag, 1-based page)
        self.section = ""
        self.y = TOP
        self.new_page()

    # -- pages ---------------------------------------------------------------------------
    @property
    def page(self) -> PageOut:
        return self.pages[-1]

    def new_page(self) -> None:
        self.pages.append(PageOut())
        self.y = TOP

    def break_page(self) -> None:
        if self.page.ops or self.page.cover:
            self.new_page()

    def need(self, height: float) -> None:
        """Start a new page unless ``height`` points still fit above the bottom margin."""
        if self.y - height < BOTTOM:
            self.new_page()

    def draw(
        self,
        x: float,
        text: str,
        font: str,
        size: float,
        align: str = "l",
        tags: tuple[Tag, ...] = (),
    ) -> None:
        self.page.ops.append(Op(x, self.y, text, font, size, align))
        if self.section:
            self.page.sections.add(self.section)
        self.placed.extend((t, len(self.pages)) for t in tags)

    def rule(self, x1: float, x2: float, y: float, width: float = 0.5) -> None:
        self.page.rules.append((x1, y, x2, y, width))

    # -- blocks --------------------------------------------------------------------------
    def heading(self, text: str, size: float = 12.0, center: bool = False) -> None:
        self.need(size * 2 + 90)  # keep a heading with the first lines or rows that follow
        self.y -= size * 1.6
        x, align = ((LEFT + RIGHT) / 2, "c") if center else (LEFT, "l")
        self.draw(x, text, "bold", size, align)
        self.y -= size * 0.6

    def paragraph(self, tokens: list[Token], size: float = 9.5, indent: bool = True) -> None:
        lead = size * (1.75 if self.lang == "zh" else 1.45)
        first_indent = size * 2 if indent and self.lang == "zh" else 0.0
        for i, (text, tags) in enumerate(self._wrap(tokens, size, first_indent)):
            self.need(lead)
            self.y -= lead
            self.draw(LEFT + (first_indent if i == 0 else 0), text, "body", size, tags=tags)
        self.y -= size * 0.5

    def _wrap(self, tokens: list[Token], size: float, indent: float) -> Iterator[Wrapped]:
        """Greedy line filling; atomic tokens move whole to the next line, CJK wraps anywhere
        except before closing punctuation, English at spaces."""
        units: list[tuple[str, tuple[Tag, ...]]] = []
        for tok in tokens:
            if tok.atomic:
                units.append((tok.text, tok.tags))
            elif self.lang == "zh":
                units.extend((c, ()) for c in tok.text)
            else:
                units.extend((w, ()) for w in _words(tok.text))
        line, tags, width, limit = "", (), 0.0, WIDTH - indent
        for text, utags in units:
            w = self.measure(text, "body", size)
            hangs = text[:1] in _NO_LINE_START
            if line and width + w > limit and not hangs:
                yield line.rstrip(), tags
                line, tags, width, limit = "", (), 0.0, WIDTH
                text = text.lstrip()
                w = self.measure(text, "body", size)
            line += text
            tags += utags
            width += w
        if line.strip():
            yield line.rstrip(), tags

    def table(self, t: Table) -> None:
        xs = [LEFT]
        for share in t.widths:
            xs.append(xs[-1] + share * WIDTH)
        self.need(t.row_h * (len(t.header) + 3) + 24)
        self._table_top(t, xs, t.title)
        for row in t.rows:
            if self.y - t.row_h < BOTTOM:
                self.rule(LEFT, RIGHT, self.y, 0.8)
                self.new_page()
                self.page.continued.append(t.title)
                self._table_top(t, xs, t.continued or t.title)
            self._row(t, xs, row)
        self.rule(LEFT, RIGHT, self.y, 0.8)
        self.y -= 10

    def _table_top(self, t: Table, xs: list[float], title: str) -> None:
        if title:
            self.y -= 16
            self.draw((LEFT + RIGHT) / 2, title, "bold", 10.5, "c")
        if t.note:
            self.y -= 13
            self.draw(RIGHT, t.note, "body", 8, "r")
        self.y -= 4
        self.rule(LEFT, RIGHT, self.y, 0.8)
        for row in t.header:
            self._row(t, xs, row, bold=True)

    def _row(self, t: Table, xs: list[float], row: list[Cell], bold: bool = False) -> None:
        self.y -= t.row_h
        base = self.y + t.row_h * 0.3
        y0, self.y = self.y, base
        for i, cell in enumerate(row):
            if not cell.text:
                continue
            font = "bold" if bold or cell.bold else "body"
            size = self._fit(cell.text, font, t.size, xs[i + 1] - xs[i] - 6 - cell.indent)
            self.draw(_cell_x(cell, xs[i], xs[i + 1]), cell.text, font, size, cell.align, cell.tags)
        self.y = y0
        self.rule(LEFT, RIGHT, self.y, 0.25)

    def _fit(self, text: str, font: str, size: float, room: float) -> float:
        # Shrink a long cell rather than wrap it: a wrapped number could not be found verbatim.
        while size > 5.5 and self.measure(text, font, size) > room:
            size -= 0.25
        return size


def _cell_x(cell: Cell, left: float, right: float) -> float:
    if cell.align == "r":
        return right - 3
    if cell.align == "c":
        return (left + right) / 2
    return left + 3 + cell.indent


def _words(text: str) -> list[str]:
    """Split after each space, keeping the spaces, so joined words reproduce the text."""
    out, cur = [], ""
    for ch in text:
        cur += ch
        if ch == " ":
            out.append(cur)
            cur = ""
    if cur:
        out.append(cur)
    return out
