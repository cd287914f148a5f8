"""第十节 财务报告: audit report, the three consolidated statements, and the notes."""

from __future__ import annotations

from domainsft.samples import notes, people, sections, zh_statements, zh_text
from domainsft.samples.context import Ctx
from domainsft.samples.layout import Token
from domainsft.samples.zh_text import unit_note, write


def financials(ctx: Ctx) -> None:
    flow, c, y = ctx.flow, ctx.company, ctx.year
    flow.heading("第十节　财务报告", 14)
    flow.heading("一、审计报告", 11)
    write(ctx, zh_text.AUDIT, 2, paragraphs=2)
    flow.paragraph(
        [Token(f"{c.auditor}　　中国注册会计师：{people.zh_name(ctx.rng)}")], indent=False
    )
    flow.break_page()
    flow.heading("二、财务报表", 11)
    note = unit_note(c.unit)
    for section, specs, title, cols in (
        ("income", zh_statements.INCOME, "合并利润表", (f"{y} 年度", f"{y - 1} 年度")),
        (
            "balance",
            zh_statements.BALANCE,
            "合并资产负债表",
            (f"{y} 年 12 月 31 日", f"{y - 1} 年 12 月 31 日"),
        ),
        ("cash_flow", zh_statements.CASH_FLOW, "合并现金流量表", (f"{y} 年度", f"{y - 1} 年度")),
    ):
        sections.statement(ctx, section, specs, title, f"{title}（续）", ["项目", *cols], note)
    flow.break_page()
    flow.heading("三、公司基本情况", 11)
    write(ctx, zh_text.COMPANY_BASICS, 4)
    flow.heading("四、重要会计政策及会计估计", 11)
    write(ctx, zh_text.ACCOUNTING, 3, paragraphs=3)
    flow.heading("五、合并财务报表项目注释", 11)
    for key, title, specs in notes.ZH_NOTES:
        sections.statement(
            ctx,
            "notes",
            specs,
            title,
            f"{title}（续）",
            [
                "项目",
                "期末余额" if key != "notes_revenue" else "本期发生额",
                "期初余额" if key != "notes_revenue" else "上期发生额",
            ],
            note,
            key,
        )
