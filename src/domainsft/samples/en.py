"""The English annual report of a US (10-K style) or UK (plc) issuer, reporting in USD."""

from __future__ import annotations

from domainsft.samples import en_finance, en_front, en_governance, en_mdna, en_text, sections
from domainsft.samples.context import Ctx
from domainsft.samples.en_text import unit_note, write
from domainsft.samples.layout import Cell, Token

_KEY_ROWS = [
    ("Revenue", "revenue", "revenue", "money", "pct"),
    ("Net profit attributable to shareholders", "npa", "net_profit_attributable", "money", "pct"),
    (
        "Net profit after deducting non-recurring gains and losses",
        "npd",
        "net_profit_deducted",
        "money",
        "pct",
    ),
    ("Net cash from operating activities", "cfo", "operating_cash_flow", "money", "pct"),
    ("Total assets", "total_assets", "total_assets", "money", "pct"),
    (
        "Equity attributable to shareholders of the parent",
        "equity_attributable",
        "equity_attributable",
        "money",
        "pct",
    ),
    ("Basic earnings per share", "eps_basic", "eps_basic", "per_share", "pct"),
    ("Diluted earnings per share", "eps_diluted", "eps_diluted", "per_share", "pct"),
    ("Weighted average return on equity", "roe", "roe_weighted", "pct", "pp"),
]


def header(ctx: Ctx) -> str:
    return f"{ctx.company.name} Annual Report {ctx.year}"


def footer(style: str, page: int, total: int) -> str:
    return {"slash": f"{page} / {total}", "page_of": f"Page {page} of {total}"}.get(
        style, str(page)
    )


def build(ctx: Ctx) -> None:
    c, y = ctx.company, ctx.year
    market = "Nasdaq" if c.market == "us" else "LSE"
    sections.cover(
        ctx,
        [
            (c.name, 22, 250),
            (f"Annual Report {y}", 30, 330),
            (f"{market}: {c.stock_code}", 12, 620),
            (f"For the fiscal year ended December 31, {y}", 12, 660),
        ],
    )
    _notice(ctx)
    en_front.letter(ctx)
    _profile(ctx)
    en_front.business(ctx)
    en_mdna.mdna(ctx)
    en_governance.governance(ctx)
    en_governance.shareholder_info(ctx)
    en_finance.financials(ctx)


def _notice(ctx: Ctx) -> None:
    flow = ctx.flow
    flow.heading("Forward-looking statements", 14)
    write(ctx, en_text.NOTICE, 5)
    flow.heading("Contents", 12)
    for line in (
        "Letter to shareholders",
        "Company information",
        "Financial highlights",
        "Business",
        "Management's discussion and analysis",
        "Corporate governance",
        "Financial statements",
    ):
        flow.paragraph([Token(line)], indent=False)
    flow.break_page()


def _profile(ctx: Ctx) -> None:
    flow, c = ctx.flow, ctx.company
    flow.heading("Company information", 14)
    mail = (ctx.pii("email", c.email, disclosed=True),)
    sections.grid(
        ctx,
        [0.3, 0.7],
        [],
        [
            [Cell("Company name"), ctx.text_cell("company_name", c.name)],
            [Cell("Stock code"), ctx.text_cell("stock_code", c.stock_code)],
            [Cell("Exchange"), Cell(c.exchange)],
            [Cell("Legal representative"), ctx.text_cell("legal_representative", c.legal_rep)],
            [Cell("Registered address"), ctx.text_cell("registered_address", c.reg_address)],
            [Cell("Website"), Cell(c.website)],
            [Cell("E-mail"), ctx.text_cell("email", c.email, mail)],
            [Cell("Auditor"), ctx.text_cell("auditor", c.auditor)],
        ],
        section="profile",
    )
    flow.heading("Investor relations contact", 12)
    phone = (ctx.pii("phone", c.secretary_phone, disclosed=True),)
    sections.grid(
        ctx,
        [0.3, 0.7],
        [],
        [
            [Cell("Company Secretary"), Cell(c.secretary)],
            [Cell("Telephone"), Cell(c.secretary_phone, tags=phone)],
            [Cell("E-mail"), Cell(c.email, tags=mail)],
        ],
        section="profile",
    )
    flow.heading("Financial highlights", 14)
    y = ctx.year
    sections.key_figures(
        ctx,
        "",
        ["Year ended December 31", str(y), str(y - 1), "Change"],
        _KEY_ROWS,
        unit_note(c.unit),
    )
    flow.break_page()
