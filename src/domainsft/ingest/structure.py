"""From a page's lines to its text in reading order and its tables.

Tables replace their lines in the text with one line per row (cells separated by a space),
so a key-figure row reads ``营业收入 1,175,301,034.32 1,230,537,181.80 -4.49 …`` even when the
label wraps inside its cell. Other lines are re-joined into paragraphs when a line runs to the
right margin and the next one continues at the same indent: the layout wrapped it, the author
did not break it.
"""

from __future__ import annotations

from domainsft.ingest.layout import Line, is_cjk, join_pair
from domainsft.ingest.tables import extract_tables


def page_structure(
    lines: list[Line],
    hrules: list[tuple[float, float, float]],
    vrules: list[tuple[float, float, float]],
    with_tables: bool = True,
) -> tuple[str, list[list[list[str]]]]:
    tables = extract_tables(lines, hrules, vrules) if with_tables else []
    starts = {t.first_line: t for t in tables}
    right = max((ln.x1 for ln in lines), default=0.0)
    out: list[str] = []
    prev: Line | None = None
    i = 0
    while i < len(lines):
        table = starts.get(i)
        if table is not None:
            out.extend(" ".join(c for c in row if c) for row in table.rows)
            i = table.last_line + 1
            prev = None
            continue
        line = lines[i]
        text = line.text
        if prev is not None and out and _wrapped(prev, line, right):
            out[-1] = _join_wrapped(out[-1], text)
        else:
            out.append(text)
        prev = line
        i += 1
    return "\n".join(out), [t.rows for t in tables]


def _wrapped(prev: Line, line: Line, right: float) -> bool:
    """``line`` continues ``prev``: prev reaches the right margin, same indent, tight spacing."""
    h = max(prev.height, 4.0)
    reaches_margin = prev.x1 >= right - 2.5 * h
    same_indent = abs(line.x0 - prev.x0) <= 1.5 * h
    tight = 0 <= line.top - prev.bottom <= 0.9 * h
    similar_size = abs(line.height - prev.height) <= 0.35 * h
    ends_open = not prev.text.rstrip().endswith(
        ("。", ".", "：", ":", "；", ";", "!", "?", "！", "？")
    )
    return reaches_margin and same_indent and tight and similar_size and ends_open


def _join_wrapped(left: str, right: str) -> str:
    # De-hyphenate a Latin word broken at the line end: "finan-" + "cial" -> "financial".
    if left.endswith("-") and len(left) > 1 and left[-2].isalpha() and right[:1].islower():
        return left[:-1] + right
    if left and right and (is_cjk(left[-1]) or is_cjk(right[0])):
        return left + right
    return join_pair(left, right)
