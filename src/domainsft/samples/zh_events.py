"""第六节 to 第九节: lawsuits and related parties, shareholders, the empty sections.

This is where a real 年报 prints personal data, and so where the PII is planted."""

from __future__ import annotations

from decimal import Decimal

from domainsft.samples import company as company_mod
from domainsft.samples import people, sections
from domainsft.samples.context import Ctx
from domainsft.samples.layout import Cell, Token
from domainsft.samples.numbers import fmt_number, fmt_plain


def events(ctx: Ctx) -> None:
    """第六节 重要事项: a lawsuit naming individuals, and related parties with their codes."""
    flow, c, rng = ctx.flow, ctx.company, ctx.rng
    assert c.region is not None
    flow.heading("第六节　重要事项", 14)
    flow.heading("一、重大诉讼、仲裁事项", 11)
    defendant, worker = people.zh_name(rng), people.zh_name(rng)
    id1, id2 = people.id_card(rng), people.id_card(rng, c.region)
    phone, card = people.mobile(rng), people.bank_card(rng)
    amount = fmt_number(Decimal(rng.randint(300_000, 9_000_000)) / 100, 2)
    court = f"{c.region.city or c.region.province}{c.region.district}人民法院"
    flow.paragraph(
        [
            Token(
                f"{ctx.year}年{rng.randint(2, 11)}月，公司就买卖合同纠纷向{court}提起诉讼，"
                f"被告为自然人{defendant}（身份证号码："
            ),
            Token(id1, (ctx.pii("id_card", id1),), atomic=True),
            Token("，联系电话："),
            Token(phone, (ctx.pii("phone", phone),), atomic=True),
            Token(
                f"），请求判令被告支付货款及违约金共计 {amount} 元。截至本报告披露日，该案已一审"
                "判决，公司胜诉，被告尚未履行付款义务。"
            ),
        ]
    )
    flow.paragraph(
        [
            Token(f"报告期内另有劳动争议案件 1 起，申请人{worker}（身份证号码："),
            Token(id2, (ctx.pii("id_card", id2),), atomic=True),
            Token("）主张经济补偿，经调解结案，公司已将款项支付至其本人银行账户（账号："),
            Token(card, (ctx.pii("bank_card", card),), atomic=True),
            Token("）。上述案件对公司经营不构成重大影响。"),
        ]
    )
    flow.heading("二、重大关联交易", 11)
    rows = []
    for relation in ("控股股东控制的企业", "联营企业", "实际控制人亲属控制的企业"):
        region = rng.choice(people.REGIONS)
        name = company_mod.zh_firm(
            rng, rng.choice(("科技有限公司", "贸易有限公司", "实业有限公司"))
        )
        code, tel = people.uscc(rng, region), people.landline(rng, region)
        rows.append(
            [
                Cell(name),
                Cell(code, tags=(ctx.pii("uscc", code),)),
                Cell(relation),
                Cell(tel, tags=(ctx.pii("phone", tel),)),
            ]
        )
    sections.grid(
        ctx,
        [0.34, 0.26, 0.22, 0.18],
        ["关联方名称", "统一社会信用代码", "关联关系", "联系电话"],
        rows,
    )
    flow.break_page()


def shareholders(ctx: Ctx) -> None:
    """第七节 股东情况: top holders, then natural-person holders' contact details."""
    flow, rng = ctx.flow, ctx.rng
    flow.heading("第七节　股份变动及股东情况", 14)
    flow.heading("一、前十名股东持股情况", 11)
    shares = int(ctx.company.unit.base(ctx.fig("share_capital")))
    holders = [people.zh_name(rng) for _ in range(6)]
    kinds = ["境内自然人"] * 6 + ["境内非国有法人", "境外法人", "其他", "国有法人"]
    names = [
        *holders,
        company_mod.zh_firm(rng, "投资管理有限公司"),
        "香港中央结算有限公司",
        company_mod.zh_firm(rng, "成长混合型证券投资基金"),
        company_mod.zh_firm(rng, "国有资本运营有限公司"),
    ]
    left, stakes = 10_000, []
    for name, kind in zip(names, kinds, strict=True):
        pct = rng.randint(80, min(2800, left // 3))  # basis points of the share capital
        left -= pct
        stakes.append((pct, name, kind))
    rows = [
        [
            Cell(name),
            Cell(kind, "c"),
            Cell(f"{shares * pct // 10_000:,}", "r"),
            Cell(fmt_plain(Decimal(pct) / 100), "r"),
        ]
        for pct, name, kind in sorted(stakes, key=lambda s: -s[0])
    ]
    sections.grid(
        ctx, [0.34, 0.2, 0.26, 0.2], ["股东名称", "股东性质", "持股数量（股）", "持股比例(%)"], rows
    )
    flow.heading("二、主要自然人股东联系信息", 11)
    rows = []
    for name in holders[:3]:
        idn, tel, card = people.id_card(rng), people.mobile(rng), people.bank_card(rng)
        mail = people.personal_email(rng, name)
        rows.append(
            [
                Cell(name),
                Cell(idn, tags=(ctx.pii("id_card", idn),)),
                Cell(tel, tags=(ctx.pii("phone", tel),)),
                Cell(card, tags=(ctx.pii("bank_card", card),)),
                Cell(mail, tags=(ctx.pii("email", mail),)),
            ]
        )
    sections.grid(
        ctx,
        [0.1, 0.24, 0.19, 0.26, 0.21],
        ["姓名", "身份证号码", "手机号码", "银行账号", "电子邮箱"],
        rows,
    )
    flow.break_page()


def other_sections(ctx: Ctx) -> None:
    """第八节、第九节: short sections every A-share report carries even when empty."""
    flow = ctx.flow
    flow.heading("第八节　优先股相关情况", 14)
    flow.paragraph([Token("报告期内，公司不存在优先股相关情况。")])
    flow.heading("第九节　债券相关情况", 14)
    flow.paragraph(
        [
            Token(
                "报告期内，公司不存在公司债券、企业债券、非金融企业债务融资工具及可转换"
                "公司债券相关情况。"
            )
        ]
    )
    flow.break_page()
