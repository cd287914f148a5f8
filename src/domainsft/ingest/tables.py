"""Tables from text geometry: blocks of column-aligned lines, rows banded by ruling lines.

Annual-report tables come in two shapes: fully ruled grids (A-share reports, where a label
wraps over two or three lines inside one cell) and unruled or rule-only-under-the-header
tables (10-Ks, bank reports). One method covers both: find blocks of lines that split into
several cells with at least one number, then form rows from the horizontal rules inside the
block when there are any (so a wrapped label stays in its row), else one row per line with
continuation labels joined. Vertical rules, when present, fix the column boundaries and keep
empty cells so columns stay aligned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from domainsft.ingest.layout import Line, Seg, group_lines, join_pair, join_segs, split_cells

_NUMERIC = re.compile(r"^[(（\-−–$¥€£]*\d[\d,，.．]*\s*[%％)）]*$|^[-—–]$")


@dataclass
class Table:
    rows: list[list[str]]
    first_line: int  # index into the page's lines
    last_line: int  # inclusive


def is_numeric(text: str) -> bool:
    return bool(_NUMERIC.match(text.replace(" ", "")))


def _tabular(line: Line) -> bool:
    cells = split_cells(line)
    return len(cells) >= 2 and any(is_numeric(join_segs(c)) for c in cells[1:])


def find_blocks(lines: list[Line]) -> list[tuple[int, int]]:
    """(first, last) line indices of candidate table blocks."""
    blocks: list[tuple[int, int]] = []
    i, n = 0, len(lines)
    while i < n:
        if not _tabular(lines[i]):
            i += 1
            continue
        start = end = i
        j = i + 1
        while j < n:
            gap = lines[j].top - lines[j - 1].bottom
            if gap > 2.0 * max(lines[j - 1].height, 6.0):
                break
            if _tabular(lines[j]):
                end = j
            elif j + 1 < n and _tabular(lines[j + 1]):
                pass  # a label-only line between table rows (wrapped label, sub-heading)
            elif len(split_cells(lines[j])) < 2 and not _header_like(lines, j, end):
                break
            j += 1
        # A header line directly above (column titles such as 项目 / 2019年) joins the block.
        if (
            start > 0
            and len(split_cells(lines[start - 1])) >= 2
            and lines[start].top - lines[start - 1].bottom < 1.5 * max(lines[start].height, 6.0)
        ):
            start -= 1
        if end > start:
            blocks.append((start, end))
        i = end + 1
    return blocks


def _header_like(lines: list[Line], j: int, end: int) -> bool:
    # A trailing single-cell line right under the last row is a wrapped label fragment.
    return j == end + 1 and lines[j].top - lines[end].bottom < 0.5 * max(lines[end].height, 6.0)


def _bands(block: list[Line], hrules: list[tuple[float, float, float]]) -> list[list[Line]]:
    """Rows of a block: runs of lines between horizontal rules, or one line per row."""
    x0 = min(ln.x0 for ln in block)
    x1 = max(ln.x1 for ln in block)
    cuts = _rule_positions(hrules, x0, x1, 0.3, block[0].top - 2, block[-1].bottom + 2)
    if len(cuts) < 2:
        return _continuations([[ln] for ln in block])
    bands: list[list[Line]] = []
    for ln in block:
        key = _band_key(ln, cuts)
        if bands and _band_key(bands[-1][-1], cuts) == key:
            bands[-1].append(ln)
        else:
            bands.append([ln])
    out: list[list[Line]] = []
    for band in bands:
        # Rules under subtotals (10-K style) enclose several complete rows: a band with two
        # or more lines that each carry a label and figures is split into its lines again.
        if sum(_complete_row(ln) for ln in band) >= 2:
            out.extend(_continuations([[ln] for ln in band]))
        else:
            out.append(band)
    return out


def _band_key(line: Line, cuts: list[float]) -> int:
    return sum(1 for y in cuts if y < line.top + line.height / 2)


def _complete_row(line: Line) -> bool:
    """A row on its own: a label first, figures after it."""
    return _tabular(line) and not is_numeric(join_segs(split_cells(line)[0]))


def _continuations(rows: list[list[Line]]) -> list[list[Line]]:
    """Join a label-only line to the row below it when it is the first part of a wrapped label."""
    out: list[list[Line]] = []
    pending: list[Line] = []
    for row in rows:
        line = row[0]
        cells = split_cells(line)
        text = line.text
        if len(cells) == 1 and not is_numeric(text) and not text.endswith((":", "：")):
            pending.append(line)
            continue
        if pending and _continues(pending[-1], line):
            out.append([*pending, line])
        else:
            out.extend([p] for p in pending)
            out.append([line])
        pending = []
    out.extend([p] for p in pending)
    return out


def _continues(label: Line, row: Line) -> bool:
    close = row.top - label.bottom < 0.6 * max(label.height, 6.0)
    first = row.segs[0].text.lstrip()
    wraps = bool(first) and (first[0].islower() or not first[0].isascii())
    return close and wraps and row.x0 >= label.x0 - 2


def band_cells(band: list[Line], vcuts: list[float]) -> list[str]:
    """Cells of one row band: segments merged by horizontal overlap (or column by rules)."""
    if vcuts:
        cols: list[list[Seg]] = [[] for _ in range(len(vcuts) + 1)]
        for ln in band:
            for s in ln.segs:
                cols[sum(1 for x in vcuts if x < (s.x0 + s.x1) / 2)].append(s)
        cells = [_cell_text(c) for c in cols]
        return cells[1:-1] if len(cells) > 2 and not cells[0] and not cells[-1] else cells
    groups: list[list[Seg]] = []
    spans: list[list[float]] = []
    for ln in band:
        for cell in split_cells(ln):
            a, b = cell[0].x0, cell[-1].x1
            for k, (ga, gb) in enumerate(spans):
                if a < gb and b > ga:
                    groups[k].extend(cell)
                    spans[k] = [min(a, ga), max(b, gb)]
                    break
            else:
                groups.append(list(cell))
                spans.append([a, b])
    order = sorted(range(len(groups)), key=lambda k: spans[k][0])
    return [_cell_text(groups[k]) for k in order]


def _cell_text(segs: list[Seg]) -> str:
    text = ""
    for ln in group_lines(segs):
        text = join_pair(text, ln.text)
    return text


def extract_tables(
    lines: list[Line],
    hrules: list[tuple[float, float, float]],
    vrules: list[tuple[float, float, float]],
) -> list[Table]:
    """Tables of a page: ruled grids first, then unruled blocks of aligned numeric lines."""
    regions = [_lines_in(lines, top, bottom) for top, bottom in ruled_grids(hrules, vrules)]
    regions = [r for r in regions if r is not None]
    taken = {i for a, b in regions for i in range(a, b + 1)}
    for a, b in find_blocks(lines):
        if not taken.intersection(range(a, b + 1)):
            regions.append((a, b))
    tables = []
    for first, last in sorted(regions):
        block = lines[first : last + 1]
        vcuts = _vertical_cuts(vrules, block[0].top, block[-1].bottom)
        rows = [band_cells(b, vcuts) for b in _bands(block, hrules)]
        rows = tidy([r for r in rows if any(c for c in r)])
        if len(rows) >= 2 and max(len(r) for r in rows) >= 2:
            tables.append(Table(rows=rows, first_line=first, last_line=last))
    return tables


_CURRENCY = {"$", "¥", "€", "£", "US$", "RMB"}
_CLOSERS = {")", "%", ")%", "%)", "）"}


def tidy(rows: list[list[str]]) -> list[list[str]]:
    """Fold layout artefacts into the cells they belong to.

    10-K tables print ``$`` and the closing ``)`` of negatives in columns of their own; the
    symbol column is dropped (the unit line already says dollars), a closer is appended to
    the number on its left, and columns that are empty in every row are removed.
    """
    rows = [_fold_row(r) for r in rows]
    if len({len(r) for r in rows}) != 1:
        return [[c for c in r if c] for r in rows]
    keep = [j for j in range(len(rows[0])) if any(r[j] for r in rows)]
    return [[r[j] for j in keep] for r in rows]


def _fold_row(row: list[str]) -> list[str]:
    out = [_strip_symbol(c) for c in row]
    for j, cell in enumerate(out):
        if cell in _CURRENCY:
            out[j] = ""
        elif cell in _CLOSERS and j > 0:
            k = next((k for k in range(j - 1, -1, -1) if out[k]), None)
            if k is not None:
                out[k] += cell
                out[j] = ""
    return out


def _strip_symbol(cell: str) -> str:
    """``44,538 $`` -> ``44,538``: the next column's dollar sign printed close to this number."""
    parts = cell.split(" ")
    if len(parts) < 2:
        return cell
    while len(parts) > 1 and parts[-1] in _CURRENCY:
        parts.pop()
    while len(parts) > 1 and parts[0] in _CURRENCY:
        parts.pop(0)
    rest = " ".join(parts)
    return rest if is_numeric(rest) else cell


def ruled_grids(
    hrules: list[tuple[float, float, float]], vrules: list[tuple[float, float, float]] = ()
) -> list[tuple[float, float]]:
    """Vertical extents of tables drawn with horizontal rules between their rows.

    Three or more long horizontal rules, stacked no further apart than a tall row and
    overlapping horizontally, make a grid; whatever lies between the first and last is a table.
    On pages that draw vertical rules, a band that no vertical rule crosses is the gap between
    two tables (a section heading), not a row.
    """
    merged: list[list[float]] = []  # [y, x0, x1]
    for y, a, b in sorted(hrules):
        if merged and abs(y - merged[-1][0]) <= 1.5:
            merged[-1][1], merged[-1][2] = min(a, merged[-1][1]), max(b, merged[-1][2])
        else:
            merged.append([y, a, b])
    rules = [r for r in merged if r[2] - r[1] >= 60.0]
    grids: list[tuple[float, float]] = []
    run: list[list[float]] = []
    for r in rules:
        if run and not _same_grid(run[-1], r, vrules):
            if len(run) >= 3:
                grids.append((run[0][0], run[-1][0]))
            run = []
        run.append(r)
    if len(run) >= 3:
        grids.append((run[0][0], run[-1][0]))
    return grids


def _same_grid(a: list[float], b: list[float], vrules) -> bool:
    """Rules a and b (a above b) bound one row of the same table.

    With vertical rules on the page the test is exact (a vertical rule crosses the band), so
    tall header rows of five wrapped lines (~100 pt) are allowed; without them only a
    normal row height (60 pt) is.
    """
    gap = b[0] - a[0]
    if gap > 110.0 or min(a[2], b[2]) - max(a[1], b[1]) < 30.0:
        return False
    if not vrules:
        return gap <= 60.0
    x0, x1 = max(a[1], b[1]), min(a[2], b[2])
    return any(
        x0 - 2 <= x <= x1 + 2 and top <= a[0] + 2 and bottom >= b[0] - 2
        for x, top, bottom in vrules
    )


def _lines_in(lines: list[Line], top: float, bottom: float) -> tuple[int, int] | None:
    idx = [i for i, ln in enumerate(lines) if top - 1 < (ln.top + ln.bottom) / 2 < bottom + 1]
    return (idx[0], idx[-1]) if idx else None


def _vertical_cuts(vrules: list[tuple[float, float, float]], top: float, bottom: float) -> list:
    """x positions of vertical rules that run along most of the block's height."""
    xs = _rule_positions(vrules, top, bottom, 0.5)
    return xs if len(xs) >= 3 else []


def _rule_positions(
    rules: list[tuple[float, float, float]],
    lo: float,
    hi: float,
    share: float,
    pos_min: float = float("-inf"),
    pos_max: float = float("inf"),
) -> list[float]:
    """Positions of rules whose pieces together cover ``share`` of the interval [lo, hi].

    Ruled grids are drawn cell by cell, so one visual rule arrives as many short pieces at
    the same position; pieces within 1.5 pt are one rule and their lengths add up.
    """
    cover: dict[float, float] = {}
    for pos, a, b in sorted(rules):
        if not pos_min < pos < pos_max:
            continue
        length = max(0.0, min(b, hi) - max(a, lo))
        key = next((k for k in cover if abs(k - pos) <= 1.5), pos)
        cover[key] = cover.get(key, 0.0) + length
    need = share * max(hi - lo, 1.0)
    return sorted(k for k, v in cover.items() if v >= need)
