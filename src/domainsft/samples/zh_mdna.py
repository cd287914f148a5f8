"""第三节 管理层讨论与分析: industry and business prose, the results paragraph with its
tagged figures, the line-item change table and the regional split."""

from __future__ import annotations

import random
from decimal import Decimal

from domainsft.samples import notes, sections, zh_text
from domainsft.samples.context import Ctx
from domainsft.samples.layout import Cell, Token
from domainsft.samples.numbers import fmt_plain, yoy
from domainsft.samples.zh_text import unit_note, write

_CHANGES = [
    ("营业收入", "revenue", "revenue"),
    ("营业成本", "cost", "cost_of_revenue"),
    ("销售费用", "selling", "selling_expenses"),
    ("管理费用", "admin", "admin_expenses"),
    ("财务费用", "financial", "financial_expenses"),
    ("研发费用", "rd", "rd_expenses"),
    ("经营活动产生的现金流量净额", "cfo", "operating_cash_flow"),
    ("投资活动产生的现金流量净额", "cfi", "investing_cash_flow"),
    ("筹资活动产生的现金流量净额", "cff", "financing_cash_flow"),
]


def mdna(ctx: Ctx) -> None:
    flow = ctx.flow
    flow.heading("第三节　管理层讨论与分析", 14)
    flow.heading("一、报告期内公司所处行业情况", 11)
    write(ctx, zh_text.INDUSTRY, 4)
    flow.heading("二、报告期内公司从事的主要业务", 11)
    write(ctx, zh_text.BUSINESS, 4)
    flow.heading("三、经营情况讨论与分析", 11)
    flow.section = "mdna"
    flow.paragraph(mdna_paragraph(ctx))
    flow.section = ""
    flow.heading("四、报告期内核心竞争力分析", 11)
    write(ctx, zh_text.STRENGTH, 3)
    flow.heading("五、利润表及现金流量表相关科目变动分析", 11)
    rows = [(label, key, metric, "money", "pct") for label, key, metric in _CHANGES]
    sections.key_figures(
        ctx,
        "",
        ["科目", "本期数", "上年同期数", "变动比例(%)"],
        rows,
        unit_note(ctx.company.unit),
        section="mdna",
    )
    regions(ctx)
    flow.heading("六、可能面对的风险", 11)
    for risk in ctx.rng.sample(zh_text.RISK, 3):
        flow.paragraph([Token(risk)])
    flow.break_page()


def change_words(cur: int, prior: int) -> list[Token]:
    """``同比增长 12.35%`` / ``同比下降 3.21%``; a loss-making base year gets words instead."""
    change = yoy(Decimal(cur), Decimal(prior))
    if change is None:
        return [Token("，上年同期为亏损")]
    word = "增长" if change >= 0 else "下降"
    return [Token(f"，同比{word} "), Token(f"{fmt_plain(abs(change))}%", atomic=True)]


def mdna_paragraph(ctx: Ctx) -> list[Token]:
    """The results paragraph: key figures in prose, each tagged as an ``mdna`` fact."""
    u = ctx.company.unit.scale
    toks: list[Token] = [Token("报告期内，公司实现营业收入 ")]

    def figure(key: str, metric: str, lead: str, compare: bool = True) -> None:
        toks.extend([Token(lead), ctx.token(key, metric, "mdna"), Token(f" {u}")])
        if compare:
            toks.extend(change_words(ctx.fig(key), ctx.fig(key, prior=True)))

    toks.extend([ctx.token("revenue", "revenue", "mdna"), Token(f" {u}")])
    toks.extend(change_words(ctx.fig("revenue"), ctx.fig("revenue", prior=True)))
    figure("npa", "net_profit_attributable", "；实现归属于上市公司股东的净利润 ")
    figure("npd", "net_profit_deducted", "；实现归属于上市公司股东的扣除非经常性损益的净利润 ")
    figure("total_assets", "total_assets", "。截至报告期末，公司总资产 ")
    figure(
        "equity_attributable", "equity_attributable", "；归属于上市公司股东的净资产 ", compare=False
    )
    figure("cfo", "operating_cash_flow", "。报告期内，经营活动产生的现金流量净额为 ", False)
    figure("rd", "rd_expenses", "。公司持续加大研发投入，全年研发费用 ", False)
    share = Decimal(ctx.fig("rd")) / Decimal(ctx.fig("revenue")) * 100
    toks.extend(
        [Token("，占营业收入的比例为 "), Token(f"{fmt_plain(share)}%", atomic=True), Token("。")]
    )
    return toks


def regions(ctx: Ctx) -> None:
    """主营业务分地区情况: domestic and overseas split of the main business, with margins."""
    split: dict[bool, tuple[list[int], list[int]]] = {}
    for prior in (False, True):
        fy = ctx.year - 1 if prior else ctx.year
        # Seeded by fiscal year, so last year's split is the same in both reports.
        rng = random.Random(f"{ctx.seed}/{ctx.company.company_id}/{fy}/regions")
        share = rng.randint(55, 90)
        split[prior] = (
            notes.split(rng, ctx.fig("rev_main", prior), [share, 100 - share]),
            notes.split(rng, ctx.fig("cost_main", prior), [share, 100 - share]),
        )
    rows = []
    (rev, cost), (rev0, _) = split[False], split[True]
    for i, label in enumerate(("境内", "境外", "合计")):
        r = sum(rev) if i == 2 else rev[i]
        c = sum(cost) if i == 2 else cost[i]
        r0 = sum(rev0) if i == 2 else rev0[i]
        margin = fmt_plain(Decimal(r - c) / Decimal(r) * 100) if r else "-"
        rows.append(
            [
                Cell(label),
                Cell(ctx.amount(r), "r"),
                Cell(ctx.amount(c), "r"),
                Cell(margin, "r"),
                Cell(sections.format_change("zh", r, r0, "pct"), "r"),
            ]
        )
    sections.grid(
        ctx,
        [0.16, 0.24, 0.24, 0.16, 0.2],
        ["分地区", "营业收入", "营业成本", "毛利率(%)", "营业收入比上年增减(%)"],
        rows,
        title="主营业务分地区情况",
    )
