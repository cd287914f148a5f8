"""Section builders shared by both languages: cover, key-figures table, statements, tables."""

from __future__ import annotations

from decimal import Decimal

from domainsft.samples.context import Ctx
from domainsft.samples.layout import PAGE_H, Cell, Table
from domainsft.samples.numbers import fmt_number, fmt_plain, yoy
from domainsft.samples.statements import Spec, evaluate

KeyRow = tuple[str, str, str, str, str]  # label, figure key, metric, kind, change mode


def format_change(lang: str, cur: int, prior: int, mode: str) -> str:
    """The 本年比上年增减 / Change cell: a percentage, or percentage points for ratios."""
    if mode == "pp":
        diff = Decimal(cur - prior).scaleb(-2)
        if lang == "zh":
            word = "增加" if diff >= 0 else "减少"
            return f"{word}{fmt_plain(abs(diff))}个百分点"
        return f"{'+' if diff >= 0 else '-'}{fmt_plain(abs(diff))} pp"
    change = yoy(Decimal(cur), Decimal(prior))
    if change is None:
        return "不适用" if lang == "zh" else "N/A"
    return fmt_plain(change) if lang == "zh" else f"{fmt_number(change, 2, 'paren')}%"


def cover(ctx: Ctx, lines: list[tuple[str, float, float]]) -> None:
    """Lines of (text, size, distance from the top of the page), centred; no header/footer."""
    flow = ctx.flow
    flow.page.cover = True
    for text, size, down in lines:
        flow.y = PAGE_H - down
        flow.draw(297.6, text, "bold", size, "c")
    flow.new_page()


def key_figures(
    ctx: Ctx,
    title: str,
    header: list[str],
    rows: list[KeyRow],
    note: str,
    section: str = "key_figures",
) -> None:
    """Current year, prior year and change for each row; the figures are tagged as facts."""
    flow = ctx.flow
    flow.section = section
    body = []
    for label, key, metric, kind, mode in rows:
        if not key:  # a sub-header row such as 主要财务指标
            body.append([Cell(label, bold=True), Cell(), Cell(), Cell()])
            continue
        cur, prior = ctx.fig(key), ctx.fig(key, prior=True)
        body.append(
            [
                Cell(label),
                ctx.cell(kind, cur, metric, section),
                ctx.cell(kind, prior, metric, section, prior=True),
                Cell(format_change(ctx.lang, cur, prior, mode), "r"),
            ]
        )
    flow.table(
        Table(
            [0.4, 0.19, 0.19, 0.22],
            body,
            [[Cell(h, "c") for h in header]],
            title=title,
            note=note,
            size=8.5,
        )
    )
    flow.section = ""


def statement(
    ctx: Ctx,
    section: str,
    specs: list[Spec],
    title: str,
    continued: str,
    header: list[str],
    note: str,
    key: str = "",
) -> None:
    """A two-column statement or note table (``key`` names a note table, whose facts go to
    section ``notes``). Long tables split across pages with their header row repeated."""
    flow = ctx.flow
    flow.section = section
    lines = evaluate(specs, ctx.cur, ctx.prior)
    ctx.statements[key or section] = lines
    rows = []
    for ln in lines:
        spec = ln.spec
        label = Cell(spec.label, bold=spec.bold, indent=spec.level * 10.0)
        if ln.cur is None or ln.prior is None:
            rows.append([label, Cell(), Cell()])
            continue
        rows.append(
            [
                label,
                ctx.cell(spec.kind, ln.cur, spec.metric, section),
                ctx.cell(spec.kind, ln.prior, spec.metric, section, prior=True),
            ]
        )
    flow.table(
        Table(
            [0.5, 0.25, 0.25],
            rows,
            [[Cell(h, "c") for h in header]],
            title=title,
            continued=continued,
            note=note,
            size=8.5,
            row_h=15.5,
        )
    )
    flow.section = ""


def grid(
    ctx: Ctx,
    widths: list[float],
    header: list[str],
    rows: list[list[Cell]],
    title: str = "",
    section: str = "",
) -> None:
    """A plain table (profile, employees, contacts)."""
    ctx.flow.section = section
    head = [[Cell(h, "c") for h in header]] if header else []
    ctx.flow.table(Table(widths, rows, head, title=title, size=8.5, row_h=16))
    ctx.flow.section = ""
