"""第四节 公司治理 and 第五节 环境和社会责任: officers, employees, ESG prose."""

from __future__ import annotations

from decimal import Decimal

from domainsft.samples import people, sections, zh_text
from domainsft.samples.context import Ctx
from domainsft.samples.layout import Cell
from domainsft.samples.numbers import fmt_plain
from domainsft.samples.zh_text import write


def governance(ctx: Ctx) -> None:
    flow = ctx.flow
    flow.heading("第四节　公司治理", 14)
    write(ctx, zh_text.GOVERNANCE, 4)
    flow.heading("一、董事、监事和高级管理人员情况", 11)
    sections.grid(
        ctx,
        [0.14, 0.26, 0.08, 0.08, 0.22, 0.22],
        ["姓名", "职务", "性别", "年龄", "任期起始日期", "税前报酬总额（万元）"],
        _directors(ctx),
    )
    flow.heading("二、报告期末母公司和主要子公司的员工情况", 11)
    sec = "employees"

    def row(label: str, key: str, metric: str | None = None) -> list[Cell]:
        return [Cell(label), ctx.figure_cell(key, "count", metric, sec)]

    sections.grid(
        ctx,
        [0.6, 0.4],
        [],
        [
            row("母公司在职员工的数量", "emp_parent"),
            row("主要子公司在职员工的数量", "emp_subs"),
            row("在职员工的数量合计", "emp_total", "employees_total"),
            row("研发人员数量", "emp_rd", "rd_staff"),
        ],
        section=sec,
    )
    roles = [
        ("生产人员", "role_production"),
        ("销售人员", "role_sales"),
        ("技术人员", "role_tech"),
        ("财务人员", "role_finance"),
        ("行政人员", "role_admin"),
    ]
    sections.grid(
        ctx,
        [0.6, 0.4],
        ["专业构成类别", "专业构成人数"],
        [row(a, b) for a, b in roles] + [row("合计", "emp_total")],
        section=sec,
    )
    edu = [
        ("博士", "edu_phd", "staff_phd"),
        ("硕士", "edu_master", "staff_masters"),
        ("本科", "edu_bachelor", None),
        ("大专", "edu_college", None),
        ("大专以下", "edu_below", None),
    ]
    sections.grid(
        ctx,
        [0.6, 0.4],
        ["教育程度类别", "数量（人）"],
        [row(*e) for e in edu] + [row("合计", "emp_total")],
        section=sec,
    )
    flow.heading("三、薪酬政策及培训计划", 11)
    write(ctx, zh_text.TRAINING, 3)
    flow.heading("第五节　环境和社会责任", 14)
    write(ctx, zh_text.ESG, 4)
    flow.break_page()


def _directors(ctx: Ctx) -> list[list[Cell]]:
    rng, c = ctx.rng, ctx.company
    rows = []
    for title in zh_text.DIRECTOR_TITLES:
        name = {"董事长": c.legal_rep, "副总经理、董事会秘书": c.secretary}.get(
            title, people.zh_name(rng)
        )
        pay = fmt_plain(Decimal(rng.randint(800, 18_000)) / 100) if "独立" not in title else "8.00"
        rows.append(
            [
                Cell(name),
                Cell(title),
                Cell(rng.choice("男男女"), "c"),
                Cell(str(rng.randint(36, 64)), "c"),
                Cell(f"{ctx.year - rng.randint(0, 6)}年{rng.randint(1, 12)}月", "c"),
                Cell(pay, "r"),
            ]
        )
    return rows
