"""A page as one ordered stream of items: text lines and table rows, in reading order.

Ingest writes each table row into ``Page.text`` as one line (cells joined by spaces), so the
rows are found again in the text by their compact form; headings, unit lines and running text
between tables keep their place. Where no table was detected (a statement printed as plain
text), ``split_rows`` cuts a line into label + value cells itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from domainsft.facts.text import compact, squash
from domainsft.numbers import Quantity, is_null_marker, parse_quantity
from domainsft.records import Page

_TRAILING_SIGN = re.compile(r"\s+[$¥€£]$")
_CURRENCY_ONLY = frozenset({"$", "¥", "€", "£", "us$", "rmb", "hk$"})


@dataclass(frozen=True)
class Item:
    text: str  # the printed line (a table row: its cells joined by spaces)
    cells: tuple[str, ...] | None  # the row's cells; None for a text line
    table: int | None = None
    row: int | None = None
    start: int = -1  # offsets of the line in Page.text (-1: a row the text does not hold)
    end: int = -1

    @property
    def is_row(self) -> bool:
        return self.cells is not None


def page_items(page: Page) -> list[Item]:
    """Text lines and table rows of ``page`` in reading order."""
    rows = [
        (t, r, tuple(cells))
        for t, table in enumerate(page.tables)
        for r, cells in enumerate(table)
        if any(c.strip() for c in cells)  # an empty row holds nothing to read
    ]
    items: list[Item] = []
    k = 0  # next table row to find; rows appear in the text in order
    start = 0
    for line in page.text.split("\n"):
        if k < len(rows) and compact(line) == compact("".join(rows[k][2])):
            t, r, cells = rows[k]
            items.append(Item(squash(line), _clean(cells), t, r, start, start + len(line)))
            k += 1
        elif line.strip():
            items.append(Item(squash(line), None, start=start, end=start + len(line)))
        start += len(line) + 1
    # Rows the text does not hold (rare: a row ingest kept out of the text) follow their table.
    for t, r, cells in rows[k:]:
        items.append(Item(squash(" ".join(cells)), _clean(cells), t, r))
    return items


@lru_cache(maxsize=65536)  # cells repeat (the same figures and markers on many pages)
def quantity(
    cell: str, default_unit: str | None = None, default_scale: str | None = None
) -> Quantity | None:
    """``parse_quantity`` that treats an unreadable cell as no figure.

    A cell of many space-separated small numbers (a merged row: ``155 163 169 170 ...``) reads as
    one number of more digits than Decimal's context holds and raises InvalidOperation.
    """
    try:
        return parse_quantity(cell, default_unit=default_unit, default_scale=default_scale)
    except ArithmeticError:
        return None


def _clean(cells: tuple[str, ...]) -> tuple[str, ...]:
    """A currency sign that belongs to the next column ("5,732 $") is dropped from a cell."""
    return tuple(_TRAILING_SIGN.sub("", c) for c in cells)


@lru_cache(maxsize=65536)
def is_value(token: str) -> bool:
    """A token that is a printed figure or an empty-value marker (``1,234``, ``(5.2%)``, ``—``)."""
    return is_null_marker(token) or quantity(token) is not None


def split_rows(line: str) -> list[tuple[str, list[str]]]:
    """A text line as ``(label, value cells)`` rows.

    ``Net sales $ 192,052 $ 163,220 Membership fees 3,877 3,541`` holds two rows: a label runs
    until the first figure, its values until the next word. Lone currency signs are dropped.
    """
    out: list[tuple[str, list[str]]] = []
    label: list[str] = []
    values: list[str] = []
    for token in line.split():
        if token.lower() in _CURRENCY_ONLY:
            continue
        if is_value(token) and label:
            values.append(token)
            continue
        if values:
            out.append((" ".join(label), values))
            label, values = [], []
        label.append(token)
    if label and values:
        out.append((" ".join(label), values))
    return out


def aligned(cells: tuple[str, ...]) -> bool:
    """Whether a row's cells are a label and one figure per cell. PDF tables sometimes put the
    first figure into the label cell ("Receivables 1,692.1") or two figures into one cell
    ("$ 52,880 $ 50,873"); such rows are read from their text instead."""
    words = cells[0].split()
    if len(words) > 1 and is_value(words[-1]):
        return False
    return not any(_several_figures(c) for c in cells[1:])


def _several_figures(cell: str) -> bool:
    tokens = [t for t in cell.split() if t != "$"]
    return len(tokens) > 1 and all(is_value(t) for t in tokens)


def unlabelled(text: str) -> list[tuple[str, list[str]]]:
    """A line of figures only: a total row printed without its label."""
    tokens = [t for t in text.split() if t not in ("$",)]
    return [("", tokens)] if tokens and all(is_value(t) for t in tokens) else []


def has_values(item: Item) -> bool:
    return item.cells is not None and any(is_value(c) for c in item.cells[1:] if c.strip())
