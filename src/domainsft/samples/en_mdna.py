"""Management's discussion and analysis: results in prose (tagged), liquidity, quarters."""

from __future__ import annotations

from decimal import Decimal

from domainsft.samples import en_text, notes, sections
from domainsft.samples.context import Ctx
from domainsft.samples.en_text import write
from domainsft.samples.layout import Cell, Token
from domainsft.samples.numbers import fmt_plain, yoy


def mdna(ctx: Ctx) -> None:
    flow, c = ctx.flow, ctx.company
    flow.heading("Management's discussion and analysis", 14)
    flow.heading("Overview", 11)
    write(ctx, en_text.OVERVIEW, 4)
    flow.heading("Results of operations", 11)
    unit = f" {c.unit.scale.rstrip('s')}"  # "$1,577,301 thousand"
    flow.section = "mdna"
    flow.paragraph(
        [
            Token(f"Revenue for {ctx.year} was $"),
            ctx.token("revenue", "revenue", "mdna"),
            Token(
                f"{unit}, {_change(ctx, 'revenue')}. Net income attributable to shareholders was $"
            ),
            ctx.token("npa", "net_profit_attributable", "mdna"),
            Token(f"{unit}, {_change(ctx, 'npa')}. Research and development expenses were $"),
            ctx.token("rd", "rd_expenses", "mdna"),
            Token(f"{unit}. At year end, total assets were $"),
            ctx.token("total_assets", "total_assets", "mdna"),
            Token(f"{unit}."),
        ]
    )
    flow.heading("Liquidity and capital resources", 11)
    flow.paragraph(
        [
            Token("Net cash from operating activities was $"),
            ctx.token("cfo", "operating_cash_flow", "mdna"),
            Token(f"{unit} in {ctx.year}, compared with $"),
            ctx.token("cfo", "operating_cash_flow", "mdna", prior=True),
            Token(f"{unit} in {ctx.year - 1}. "),
            Token(en_text.paragraph(ctx.rng, en_text.LIQUIDITY, 3)),
        ]
    )
    flow.section = ""
    quarterly(ctx)
    flow.heading("Risk factors", 11)
    for risk in ctx.rng.sample(en_text.RISK, 4):
        flow.paragraph([Token(risk)])
    flow.break_page()


def _change(ctx: Ctx, key: str) -> str:
    change = yoy(Decimal(ctx.fig(key)), Decimal(ctx.fig(key, prior=True)))
    if change is None:
        return "compared with a loss in the prior year"
    word = "an increase" if change >= 0 else "a decrease"
    return f"{word} of {fmt_plain(abs(change))}% from {ctx.year - 1}"


def quarterly(ctx: Ctx) -> None:
    """Unaudited quarterly revenue and net income; the four quarters add up to the year."""
    flow, rng = ctx.flow, ctx.rng
    flow.heading("Quarterly results (unaudited)", 12)
    revenue = notes.split(rng, ctx.fig("revenue"), [23, 24, 25, 28])
    profit = notes.split(rng, ctx.fig("net_profit"), [20, 24, 26, 30])
    rows = [
        [Cell(q), Cell(ctx.amount(r), "r"), Cell(ctx.amount(p), "r")]
        for q, r, p in zip(
            ("First quarter", "Second quarter", "Third quarter", "Fourth quarter"),
            revenue,
            profit,
            strict=True,
        )
    ]
    rows.append(
        [
            Cell("Full year", bold=True),
            Cell(ctx.amount(ctx.fig("revenue")), "r"),
            Cell(ctx.amount(ctx.fig("net_profit")), "r"),
        ]
    )
    sections.grid(ctx, [0.4, 0.3, 0.3], ["", "Revenue", "Net income"], rows)
