"""The Chinese annual report (年度报告): sections in the order of the CSRC template."""

from __future__ import annotations

from domainsft.samples import (
    people,
    sections,
    zh_events,
    zh_finance,
    zh_governance,
    zh_mdna,
    zh_text,
)
from domainsft.samples.context import Ctx
from domainsft.samples.layout import Cell, Token
from domainsft.samples.zh_text import unit_note

_KEY_FLOWS = [
    ("营业收入", "revenue", "revenue", "money", "pct"),
    ("归属于上市公司股东的净利润", "npa", "net_profit_attributable", "money", "pct"),
    ("归属于上市公司股东的扣除非经常性损益的净利润", "npd", "net_profit_deducted", "money", "pct"),
    ("经营活动产生的现金流量净额", "cfo", "operating_cash_flow", "money", "pct"),
]
_KEY_STOCKS = [
    ("归属于上市公司股东的净资产", "equity_attributable", "equity_attributable", "money", "pct"),
    ("总资产", "total_assets", "total_assets", "money", "pct"),
]
_KEY_RATIOS = [
    ("基本每股收益（元／股）", "eps_basic", "eps_basic", "per_share", "pct"),
    ("稀释每股收益（元／股）", "eps_diluted", "eps_diluted", "per_share", "pct"),
    ("加权平均净资产收益率（%）", "roe", "roe_weighted", "pct", "pp"),
]


def header(ctx: Ctx) -> str:
    return f"{ctx.company.name} {ctx.year} 年年度报告"


def footer(style: str, page: int, total: int) -> str:
    return {"slash": f"{page} / {total}", "di_ye": f"第 {page} 页"}.get(style, str(page))


def build(ctx: Ctx) -> None:
    c, y = ctx.company, ctx.year
    sections.cover(
        ctx,
        [
            (c.name, 22, 250),
            (f"{y} 年年度报告", 30, 330),
            (f"股票代码：{c.stock_code}　　股票简称：{c.short_name}", 12, 620),
            (f"{y + 1} 年 4 月", 12, 660),
        ],
    )
    _notice(ctx)
    _profile(ctx)
    _key_figures(ctx)
    zh_mdna.mdna(ctx)
    zh_governance.governance(ctx)
    zh_events.events(ctx)
    zh_events.shareholders(ctx)
    zh_events.other_sections(ctx)
    zh_finance.financials(ctx)


def _notice(ctx: Ctx) -> None:
    flow, c = ctx.flow, ctx.company
    flow.heading("重要提示", 14, center=True)
    for i, sentence in enumerate(zh_text.NOTICE):
        text = sentence.format(auditor=c.auditor)
        flow.paragraph([Token(f"{'一二三四五六七八九'[i]}、{text}")], indent=False)
    flow.heading("释义", 12)
    rows = [
        ("公司、本公司、" + c.short_name, c.name),
        ("报告期", f"{ctx.year}年1月1日至{ctx.year}年12月31日"),
        ("元、万元、百万元", "人民币元、人民币万元、人民币百万元"),
        ("中国证监会", "中国证券监督管理委员会"),
        ("交易所", c.exchange),
    ]
    sections.grid(
        ctx, [0.35, 0.08, 0.57], [], [[Cell(a), Cell("指", "c"), Cell(b)] for a, b in rows]
    )
    flow.break_page()


def _profile(ctx: Ctx) -> None:
    flow, c, rng = ctx.flow, ctx.company, ctx.rng
    flow.heading("第二节　公司简介和主要财务指标", 14)
    flow.heading("一、公司信息", 11)
    mail = (ctx.pii("email", c.email, disclosed=True),)
    rows = [
        [Cell("股票简称"), Cell(c.short_name)],
        [Cell("股票代码"), ctx.text_cell("stock_code", c.stock_code)],
        [Cell("股票上市证券交易所"), Cell(c.exchange)],
        [Cell("公司的中文名称"), ctx.text_cell("company_name", c.name)],
        [Cell("公司的外文名称"), Cell(c.alt_name)],
        [Cell("公司的法定代表人"), ctx.text_cell("legal_representative", c.legal_rep)],
    ]
    sections.grid(ctx, [0.3, 0.7], [], rows, section="profile")
    flow.heading("二、联系人和联系方式", 11)
    assert c.region is not None
    rep = people.zh_name(rng)
    rep_phone = people.landline(rng, c.region)
    rep_mail = f"{rep_phone[-4:]}zqdb@{c.email.split('@')[1]}"
    contact = [
        [Cell("姓名"), Cell(c.secretary), Cell(rep)],
        [Cell("联系地址"), Cell(c.office_address), Cell(c.office_address)],
        [
            Cell("电话"),
            Cell(c.secretary_phone, tags=(ctx.pii("phone", c.secretary_phone, True),)),
            Cell(rep_phone, tags=(ctx.pii("phone", rep_phone, True),)),
        ],
        [
            Cell("传真"),
            Cell(c.fax, tags=(ctx.pii("phone", c.fax, True),)),
            Cell(c.fax, tags=(ctx.pii("phone", c.fax, True),)),
        ],
        [
            Cell("电子信箱"),
            ctx.text_cell("email", c.email, mail),
            Cell(rep_mail, tags=(ctx.pii("email", rep_mail, True),)),
        ],
    ]
    sections.grid(
        ctx, [0.16, 0.42, 0.42], ["", "董事会秘书", "证券事务代表"], contact, section="profile"
    )
    # The CSRC template prints the company e-mail under 基本情况简介, after the contacts table.
    flow.heading("三、基本情况简介", 11)
    basics = [
        [Cell("注册地址"), ctx.text_cell("registered_address", c.reg_address)],
        [Cell("办公地址"), Cell(c.office_address)],
        [Cell("邮政编码"), Cell(c.postcode)],
        [Cell("公司网址"), Cell(c.website)],
        [Cell("电子信箱"), ctx.text_cell("email", c.email, mail)],
        [Cell("统一社会信用代码"), Cell(c.uscc, tags=(ctx.pii("uscc", c.uscc),))],
    ]
    sections.grid(ctx, [0.3, 0.7], [], basics, section="profile")
    flow.heading("四、其他相关资料", 11)
    signers = f"{people.zh_name(rng)}、{people.zh_name(rng)}"
    sections.grid(
        ctx,
        [0.3, 0.7],
        [],
        [
            [Cell("公司聘请的会计师事务所（境内）"), ctx.text_cell("auditor", c.auditor)],
            [Cell("签字会计师姓名"), Cell(signers)],
        ],
        section="profile",
    )


def _key_figures(ctx: Ctx) -> None:
    y, note = ctx.year, unit_note(ctx.company.unit)
    ctx.flow.heading("五、近三年主要会计数据和财务指标", 11)
    sections.key_figures(
        ctx,
        "（一）主要会计数据",
        ["主要会计数据", f"{y}年", f"{y - 1}年", "本期比上年同期增减(%)"],
        _KEY_FLOWS,
        note,
    )
    sections.key_figures(
        ctx, "", ["", f"{y}年末", f"{y - 1}年末", "本期末比上年同期末增减(%)"], _KEY_STOCKS, note
    )
    sections.key_figures(
        ctx,
        "（二）主要财务指标",
        ["主要财务指标", f"{y}年", f"{y - 1}年", "本期比上年同期增减(%)"],
        _KEY_RATIOS,
        "",
    )
    ctx.flow.break_page()
