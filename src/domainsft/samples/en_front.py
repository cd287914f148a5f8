"""English front matter: the letter to shareholders and the business description."""

from __future__ import annotations

from domainsft.samples import en_text, sections
from domainsft.samples.context import Ctx
from domainsft.samples.en_text import write
from domainsft.samples.layout import Cell, Token


def letter(ctx: Ctx) -> None:
    flow = ctx.flow
    flow.heading("Letter to shareholders", 14)
    write(ctx, en_text.LETTER, 3, paragraphs=3)
    flow.paragraph([Token(f"{ctx.company.legal_rep}, Chief Executive Officer")])
    flow.break_page()


def business(ctx: Ctx) -> None:
    flow, rng = ctx.flow, ctx.rng
    flow.heading("Business", 14)
    write(ctx, en_text.BUSINESS, 3, paragraphs=3)
    flow.heading("Properties", 12)
    rows = []
    for use, tenure in en_text.PROPERTIES:
        rows.append([Cell(use), Cell(f"{rng.randint(20, 480) * 1000:,}", "r"), Cell(tenure, "c")])
    sections.grid(ctx, [0.55, 0.25, 0.2], ["Facility", "Square feet", "Owned / leased"], rows)
    flow.break_page()
