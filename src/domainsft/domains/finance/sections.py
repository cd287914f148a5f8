"""Which section of a page a figure sits in: the heading of the domain pack's layout above it.

A section is the stretch of a page under one heading (``statements.yaml``'s section patterns,
for the statements a summary covers); figures above a page's first heading (a table carried
over from the page before) belong to their statement's section name in ``templates.yaml``. The
dataset's section summaries are built from this grouping and the answer pipeline drafts a
summary answer from it, so a question names a section the same way in both.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable

from domainsft.domains.finance.statements import layout
from domainsft.domains.finance.templates import family
from domainsft.records import Fact

_ENUM = re.compile(r"^(第[一二三四五六七八九十]+节|[(（]?[一二三四五六七八九十\d]+[)）、.]?)\s*")
_NOTE = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")  # "(in thousands of US dollars ...)"
# a column-header row ("主要会计数据 2023年 2022年") is no heading
_FIGURES = re.compile(r"\s\S*\d")


def summarised(f: Fact) -> bool:
    """Whether a fact is one a section summary lists (a figure of a summarised statement)."""
    wanted = family("summary")["statements"]
    return f.statement in wanted and f.unit != "text" and f.scope != "parent"


def is_heading(line: str) -> bool:
    """Whether a page line is a section heading of a summarised statement."""
    wanted = set(family("summary")["statements"])
    c = unicodedata.normalize("NFKC", "".join(line.split())).lower().replace("’", "'")
    if not c or len(c) > layout().heading_max_chars or _FIGURES.search(line):
        return False
    return any(p.search(c) for s in layout().sections if s.statement in wanted for p in s.patterns)


def heading_name(line: str) -> str:
    """A heading as a question names it: without its numbering ("五、", "(二)") or unit note."""
    line = " ".join(line.split())
    return _NOTE.sub("", _ENUM.sub("", line)).strip() or line


def same_name(a: str, b: str) -> bool:
    """Whether two section names are the same, spacing, width and case aside."""

    def key(s: str) -> str:
        return unicodedata.normalize("NFKC", "".join(s.split())).casefold()

    return key(a) == key(b)


def by_section(text: str, facts: Iterable[Fact], lang: str) -> dict[str, list[Fact]]:
    """``facts`` of one page grouped by the section they are printed in, in reading order;
    a fact not printed on the page as extracted (nothing to cite) is left out."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    flat = " ".join(lines)
    headings, offset = [], 0
    for line in lines:
        if is_heading(line):
            headings.append((offset, heading_name(line)))
        offset += len(line) + 1
    placed = []
    for f in facts:
        pos = _position(flat, f)
        if pos < 0:
            continue
        above = [name for start, name in headings if start <= pos]
        name = above[-1] if above else family("summary")["sections"][f.statement][lang]
        placed.append((pos, f.fact_id, name, f))
    out: dict[str, list[Fact]] = defaultdict(list)
    for _, _, name, f in sorted(placed, key=lambda p: p[:2]):
        out[name].append(f)
    return dict(out)


def _position(text: str, f: Fact) -> int:
    for needle in (f.evidence, f.printed):
        needle = " ".join(needle.split())
        if needle and (pos := text.find(needle)) >= 0:
            return pos
    return -1
