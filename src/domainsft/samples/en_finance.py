"""Auditor's report, the three consolidated statements and the notes."""

from __future__ import annotations

from domainsft.samples import en_statements, en_text, notes, sections
from domainsft.samples.context import Ctx
from domainsft.samples.en_text import unit_note, write
from domainsft.samples.layout import Token


def financials(ctx: Ctx) -> None:
    flow, c, y = ctx.flow, ctx.company, ctx.year
    us = c.market == "us"
    flow.heading(
        "Report of independent registered public accounting firm"
        if us
        else "Independent auditor's report",
        14,
    )
    write(ctx, en_text.AUDIT, 2, paragraphs=2)
    flow.paragraph([Token(f"/s/ {c.auditor}")])
    flow.break_page()
    note = unit_note(c.unit)
    years = [str(y), str(y - 1)]
    for section, specs, title in (
        (
            "income",
            en_statements.income(c.market),
            "Consolidated Statements of Operations" if us else "Consolidated Income Statement",
        ),
        (
            "balance",
            en_statements.balance(c.market),
            "Consolidated Balance Sheets" if us else "Consolidated Statement of Financial Position",
        ),
        (
            "cash_flow",
            en_statements.cash_flow(c.market),
            "Consolidated Statements of Cash Flows" if us else "Consolidated Cash Flow Statement",
        ),
    ):
        head = ["Year ended December 31" if section != "balance" else "December 31", *years]
        sections.statement(ctx, section, specs, title, f"{title} (continued)", head, note)
    flow.break_page()
    flow.heading("Notes to the consolidated financial statements", 14)
    flow.heading("Note 1. Summary of significant accounting policies", 11)
    write(ctx, en_text.ACCOUNTING, 3, paragraphs=3)
    for key, title, specs in notes.EN_NOTES:
        sections.statement(
            ctx,
            "notes",
            specs,
            title,
            f"{title} (continued)",
            ["December 31" if key != "notes_revenue" else "Year ended December 31", *years],
            note,
            key,
        )
