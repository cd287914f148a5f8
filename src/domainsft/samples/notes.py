"""Notes to the financial statements: breakdowns whose totals tie back to the statements.

The breakdown figures are drawn once per fiscal year into the history, so the prior-year column
of a note equals the current-year column of last year's report, exactly like the statements.
"""

from __future__ import annotations

import random
from decimal import Decimal

from domainsft.samples.numbers import scale_ratio
from domainsft.samples.statements import Spec, head, item, total

Figures = dict[str, int]


def split(rng: random.Random, amount: int, weights: list[int]) -> list[int]:
    """Parts of ``amount`` in proportion to jittered ``weights``; they sum exactly to it."""
    jittered = [max(1, w + rng.randint(-w // 5, w // 5)) for w in weights]
    whole = sum(jittered)
    parts = [scale_ratio(amount, Decimal(w) / whole) for w in jittered[:-1]]
    return [*parts, amount - sum(parts)]


def add_notes(rng: random.Random, f: Figures) -> None:
    f["ar_allowance"] = scale_ratio(f["receivables"], Decimal(rng.randint(300, 800)).scaleb(-4))
    f["ar_gross"] = f["receivables"] + f["ar_allowance"]
    f["ar_1y"], f["ar_2y"], f["ar_3y"], f["ar_over"] = split(rng, f["ar_gross"], [85, 9, 4, 2])
    f["inv_provision"] = scale_ratio(f["inventories"], Decimal(rng.randint(100, 600)).scaleb(-4))
    f["inv_gross"] = f["inventories"] + f["inv_provision"]
    f["inv_raw"], f["inv_wip"], f["inv_finished"], f["inv_goods"] = split(
        rng, f["inv_gross"], [35, 20, 35, 10]
    )
    f["rev_main"], f["rev_other"] = split(rng, f["revenue"], [96, 4])
    f["cost_main"], f["cost_other"] = split(rng, f["cost"], [97, 3])
    f["fa_buildings"], f["fa_machinery"], f["fa_vehicles"], f["fa_other"] = split(
        rng, f["fixed_assets"], [40, 45, 3, 12]
    )
    f["rev_americas"], f["rev_europe"], f["rev_apac"], f["rev_row"] = split(
        rng, f["revenue"], [45, 28, 22, 5]
    )
    f["ppe_accum"] = scale_ratio(f["fixed_assets"], Decimal(rng.randint(3500, 6000)).scaleb(-4))
    f["ppe_gross"] = f["fixed_assets"] + f["cip"] + f["ppe_accum"]
    f["ppe_land"], f["ppe_machinery"], f["ppe_it"] = split(
        rng, f["fixed_assets"] + f["ppe_accum"], [40, 48, 12]
    )


ZH_NOTES: list[tuple[str, str, list[Spec]]] = [
    (
        "notes_receivables",
        "1. 应收账款（按账龄披露）",
        [
            item("ar_1y", "1年以内（含1年）"),
            item("ar_2y", "1至2年"),
            item("ar_3y", "2至3年"),
            item("ar_over", "3年以上"),
            total("ar_gross", "账面余额小计", "ar_1y+ar_2y+ar_3y+ar_over"),
            item("ar_allowance", "减：坏账准备"),
            total("receivables", "账面价值合计", "ar_gross-ar_allowance", "accounts_receivable"),
        ],
    ),
    (
        "notes_inventories",
        "2. 存货分类",
        [
            item("inv_raw", "原材料"),
            item("inv_wip", "在产品"),
            item("inv_finished", "库存商品"),
            item("inv_goods", "发出商品"),
            total("inv_gross", "账面余额小计", "inv_raw+inv_wip+inv_finished+inv_goods"),
            item("inv_provision", "减：存货跌价准备"),
            total("inventories", "账面价值合计", "inv_gross-inv_provision", "inventories"),
        ],
    ),
    (
        "notes_fixed_assets",
        "3. 固定资产（账面价值）",
        [
            item("fa_buildings", "房屋及建筑物"),
            item("fa_machinery", "机器设备"),
            item("fa_vehicles", "运输设备"),
            item("fa_other", "电子设备及其他"),
            total(
                "fixed_assets",
                "合计",
                "fa_buildings+fa_machinery+fa_vehicles+fa_other",
                "fixed_assets",
            ),
        ],
    ),
    (
        "notes_revenue",
        "4. 营业收入和营业成本",
        [
            head("营业收入："),
            item("rev_main", "主营业务"),
            item("rev_other", "其他业务"),
            total("revenue", "营业收入合计", "rev_main+rev_other", "revenue", level=1),
            head("营业成本："),
            item("cost_main", "主营业务"),
            item("cost_other", "其他业务"),
            total("cost", "营业成本合计", "cost_main+cost_other", "cost_of_revenue", level=1),
        ],
    ),
]

EN_NOTES: list[tuple[str, str, list[Spec]]] = [
    (
        "notes_revenue",
        "Note 2. Revenue by geographic region",
        [
            item("rev_americas", "Americas"),
            item("rev_europe", "Europe"),
            item("rev_apac", "Asia Pacific"),
            item("rev_row", "Rest of world"),
            total(
                "revenue", "Total revenue", "rev_americas+rev_europe+rev_apac+rev_row", "revenue"
            ),
        ],
    ),
    (
        "notes_receivables",
        "Note 3. Accounts receivable",
        [
            item("ar_gross", "Trade receivables, gross"),
            item("ar_allowance", "Less: allowance for credit losses", expr="-ar_allowance"),
            total(
                "receivables",
                "Accounts receivable, net",
                "ar_gross+ar_allowance",
                "accounts_receivable",
            ),
        ],
    ),
    (
        "notes_inventories",
        "Note 4. Inventories",
        [
            item("inv_raw", "Raw materials"),
            item("inv_wip", "Work in process"),
            item("inv_finished", "Finished goods"),
            item("inv_goods", "Goods in transit"),
            item("inv_provision", "Less: inventory reserves", expr="-inv_provision"),
            total(
                "inventories",
                "Total inventories",
                "inv_raw+inv_wip+inv_finished+inv_goods+inv_provision",
                "inventories",
            ),
        ],
    ),
    (
        "notes_ppe",
        "Note 5. Property, plant and equipment",
        [
            item("ppe_land", "Land and buildings"),
            item("ppe_machinery", "Machinery and equipment"),
            item("ppe_it", "Computer equipment and software"),
            item("cip", "Construction in progress"),
            total("ppe_gross", "Gross carrying amount", "ppe_land+ppe_machinery+ppe_it+cip"),
            item("ppe_accum", "Less: accumulated depreciation", expr="-ppe_accum"),
            total(
                "ppe",
                "Property, plant and equipment, net",
                "ppe_gross+ppe_accum",
                "fixed_assets",
                expr="fixed_assets+cip",
            ),
        ],
    ),
]
