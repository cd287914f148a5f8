"""Governance, people, legal proceedings and shareholder information.

Directors' phone numbers and e-mails and a claimant's contact details are the planted PII."""

from __future__ import annotations

from decimal import Decimal

from domainsft.samples import en_text, people, sections
from domainsft.samples.context import Ctx
from domainsft.samples.en_text import write
from domainsft.samples.layout import Cell, Token
from domainsft.samples.numbers import fmt_number, fmt_plain


def governance(ctx: Ctx) -> None:
    flow, c, rng = ctx.flow, ctx.company, ctx.rng
    flow.heading("Corporate governance", 14)
    write(ctx, en_text.GOVERNANCE, 4)
    flow.heading("Executive officers", 12)
    rows = []
    for title in en_text.OFFICER_TITLES:
        name = c.legal_rep if title == "Chief Executive Officer" else people.en_name(rng)
        since = ctx.year - rng.randint(0, 9)
        rows.append(
            [Cell(name), Cell(title), Cell(str(rng.randint(38, 66)), "c"), Cell(str(since), "c")]
        )
    sections.grid(ctx, [0.28, 0.44, 0.12, 0.16], ["Name", "Position", "Age", "Officer since"], rows)
    flow.heading("Employees", 12)
    write(ctx, en_text.PEOPLE, 3)
    sec = "employees"

    def row(label: str, key: str, metric: str | None = None) -> list[Cell]:
        return [Cell(label), ctx.figure_cell(key, "count", metric, sec)]

    sections.grid(
        ctx,
        [0.6, 0.4],
        ["", f"December 31, {ctx.year}"],
        [
            row("Total employees", "emp_total", "employees_total"),
            row("R&D staff", "emp_rd", "rd_staff"),
            row("Doctorate", "edu_phd", "staff_phd"),
            row("Master's degree", "edu_master", "staff_masters"),
            row("Bachelor's degree", "edu_bachelor"),
        ],
        section=sec,
    )
    flow.heading("Sustainability", 12)
    write(ctx, en_text.SUSTAINABILITY, 4)
    flow.heading("Legal proceedings", 12)
    claimant = people.en_name(rng)
    phone = people.us_phone(rng) if c.market == "us" else people.uk_phone(rng)
    mail = people.en_email(rng, claimant)
    flow.paragraph(
        [
            Token(f"In {ctx.year}, a former distributor represented by {claimant} (telephone "),
            Token(phone, (ctx.pii("phone", phone),), atomic=True),
            Token(", e-mail "),
            Token(mail, (ctx.pii("email", mail),), atomic=True),
            Token(
                ") filed a claim alleging breach of contract. We believe the claim is without "
                "merit and intend to defend it vigorously."
            ),
        ]
    )
    flow.heading("Directors' contact details for the annual general meeting", 12)
    rows = []
    for role in (
        "Chair",
        "Chief Executive Officer",
        "Chief Financial Officer",
        "Senior Independent Director",
    ):
        name = c.legal_rep if role == "Chief Executive Officer" else people.en_name(rng)
        tel = people.us_phone(rng) if c.market == "us" else people.uk_phone(rng)
        mail = people.en_email(rng, name)
        rows.append(
            [
                Cell(name),
                Cell(role),
                Cell(tel, tags=(ctx.pii("phone", tel),)),
                Cell(mail, tags=(ctx.pii("email", mail),)),
            ]
        )
    sections.grid(ctx, [0.22, 0.28, 0.2, 0.3], ["Name", "Role", "Telephone", "E-mail"], rows)
    flow.break_page()


_HOLDERS = (
    "Northgate Capital Partners",
    "Elmwood Asset Management",
    "Harbourline Investors",
    "Cedar Point Advisors",
    "Bluewater Pension Trust",
)


def shareholder_info(ctx: Ctx) -> None:
    """Major holders and the share price range: tables of figures that are not in the truth."""
    flow, rng = ctx.flow, ctx.rng
    flow.heading("Shareholder information", 14)
    shares = ctx.fig("shares")
    rows, left = [], 3000
    for holder in _HOLDERS:
        bp = rng.randint(100, left // 3)  # basis points; a third of what is left keeps >= 100
        left -= bp
        rows.append((bp, holder))
    sections.grid(
        ctx,
        [0.5, 0.28, 0.22],
        ["Holder", "Shares held", "Percent of class"],
        [
            [
                Cell(h),
                Cell(f"{shares * bp // 10_000:,}", "r"),
                Cell(f"{fmt_plain(Decimal(bp).scaleb(-2))}%", "r"),
            ]
            for bp, h in sorted(rows, reverse=True)
        ],
        title="Major shareholders",
    )
    price = rng.randint(1500, 9000)
    rows = []
    for q in ("First quarter", "Second quarter", "Third quarter", "Fourth quarter"):
        low = price - rng.randint(100, 900)
        high = price + rng.randint(100, 900)
        price = rng.randint(low, high)
        rows.append(
            [
                Cell(q),
                Cell(fmt_number(Decimal(high).scaleb(-2), 2), "r"),
                Cell(fmt_number(Decimal(low).scaleb(-2), 2), "r"),
            ]
        )
    sections.grid(
        ctx,
        [0.4, 0.3, 0.3],
        ["", "High ($)", "Low ($)"],
        rows,
        title=f"Share price range in {ctx.year}",
    )
    write(ctx, en_text.AGM, 3)
    flow.break_page()
