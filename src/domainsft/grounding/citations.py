"""Page citations in a text: which pages it cites, which figure each citation vouches for, and
whether a page holds a figure.

A citation is a page reference (``第5页``, ``p. 11``, ``page 3``: the numbers kernel's ``page``
locators). The figure it vouches for is the nearest figure before it in the same stretch of text
(a line, a table cell between ``|``, a sentence), counting only from the previous citation on;
with none before it, the first after it in that stretch. The other figures of the stretch back
it up ("was $5.1 million, not $4.9 million (p. 7)" cites the first). A page *holds* a figure
when the figure is among the page's numbers at the figure's precision, in any printed form
(``FigureIndex``: a table's ``795.1`` holds ``$795.1 million``), sign aside.
"""

from __future__ import annotations

import re
from functools import lru_cache

from domainsft.grounding.figures import value_numbers
from domainsft.grounding.index import FigureIndex
from domainsft.numbers import Quantity, find_quantities

# Stretch boundaries: line, table cell, sentence end (not the "." of "p. 5", "Inc.", "No.").
_BOUNDARY = re.compile(
    r"\n|\||[。！？；;!?]"
    r"|(?<!\bp)(?<!\bpp)(?<!\bNo)(?<!\bCo)(?<!Inc)(?<!Ltd)(?<!Corp)(?<!\bvs)\.\s+(?=[A-Z])"
)


# A page citation in brackets: "（第5页）", "(p. 4)", "(Annual Report 2023, p. 11)".
BRACKETED = re.compile(
    r"[（(][^（）()]*?(?:第\s*\d+\s*页|\bpp?\.\s*\d+|\bpage\s*\d+)[^（）()]*[）)]", re.I
)


def page_refs(text: str) -> list[Quantity]:
    """The page references of ``text``, left to right (``value`` is the page number)."""
    return [q for q in find_quantities(text or "") if q.role == "page" and q.span]


def cited_page_numbers(text: str) -> list[int]:
    """The page numbers ``text`` cites, in order, repeats kept."""
    return [int(q.value) for q in page_refs(text)]


def citations(text: str) -> list[tuple[Quantity, list[Quantity]]]:
    """Each page citation of ``text`` with its figures, the vouched-for one first."""
    pages = page_refs(text)
    found = [q for q in value_numbers(text) if q.span]
    bounds = [m.end() for m in _BOUNDARY.finditer(text)]
    out = []
    for i, page in enumerate(pages):
        (start, end), prev_end = page.span, pages[i - 1].span[1] if i else 0
        next_start = pages[i + 1].span[0] if i + 1 < len(pages) else len(text)
        lo = max([b for b in bounds if b <= start] + [prev_end])
        hi = min([b for b in bounds if b > end] + [next_start])
        before = [f for f in found if lo <= f.span[0] and f.span[1] <= start]
        after = [f for f in found if end <= f.span[0] and f.span[1] <= hi]
        out.append((page, before[::-1] or after))
    return out


@lru_cache(maxsize=1024)
def page_index(text: str) -> FigureIndex:
    """The figures of one page, indexed once per page text."""
    return FigureIndex(find_quantities(text), derive_limit=0)


def holds(page_text: str, figure: Quantity) -> bool:
    """Whether the page prints ``figure`` (at its precision, in any printed form, sign aside)."""
    return page_index(page_text).has(figure)
