"""Fictional listed companies: names, codes, addresses, officers and reporting conventions.

A company keeps its reporting unit and page-number style across all its years, as real issuers
do, so that a year's prior-year column can equal the previous report to the tick.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from domainsft.samples import people
from domainsft.samples.numbers import UNITS, Unit

_ZH_PREFIX = "华辰泰宇晟锦瀚朗睿嘉昊启澜拓恒源鼎钧"
_ZH_INDUSTRY = (
    ("精密科技", "Precision Technology"),
    ("智能装备", "Intelligent Equipment"),
    ("新材料", "New Materials"),
    ("电子科技", "Electronic Technology"),
    ("生物医药", "Biopharmaceutical"),
    ("环保科技", "Environmental Technology"),
    ("汽车部件", "Auto Parts"),
    ("食品科技", "Food Technology"),
)
_ZH_ROADS = ("文一西路", "科技大道", "创新路", "星湖街", "华夏路", "高新四路", "东湖大道", "滨海路")
_ZH_BOARDS = (
    ("603", "上海证券交易所"),
    ("601", "上海证券交易所"),
    ("688", "上海证券交易所"),
    ("000", "深圳证券交易所"),
    ("002", "深圳证券交易所"),
    ("300", "深圳证券交易所"),
)
_ZH_AUDITORS = (
    "华衡信达会计师事务所（特殊普通合伙）",
    "致远天成会计师事务所（特殊普通合伙）",
    "立德中诚会计师事务所（特殊普通合伙）",
)
_EN_WORDS = (
    "Northwind",
    "Bramblewood",
    "Cobalt Ridge",
    "Halewick",
    "Ashgrove",
    "Silverfen",
    "Kestrel Point",
    "Marlow Bay",
    "Greyhaven",
    "Larchmont",
    "Redfern",
    "Stonebridge",
    "Windermere",
    "Oakhurst",
    "Copperline",
    "Fallowmere",
)
_EN_TRADES = (
    "Precision Systems",
    "Analytics",
    "Therapeutics",
    "Instruments",
    "Materials",
    "Networks",
    "Robotics",
    "Foods",
    "Semiconductor",
    "Energy Systems",
    "Diagnostics",
    "Industrial",
)
_EN_AUDITORS = ("Carrow & Lind LLP", "Whitmore Hale LLP", "Ostrander Baird LLP")
_US_CITIES = (("San Jose", "CA", "95110"), ("Austin", "TX", "78701"), ("Boston", "MA", "02110"))
_UK_CITIES = (("London", "EC2A 4BX"), ("Cambridge", "CB2 1TN"), ("Manchester", "M1 4BT"))
_ZH_UNITS = ("元", "万元", "百万元")
_EN_UNITS = ("thousands", "millions")
_ZH_FOOTERS = ("slash", "di_ye", "bare")
_EN_FOOTERS = ("slash", "page_of", "bare")


@dataclass(frozen=True)
class Company:
    company_id: str
    lang: str  # zh | en
    market: str  # cn | us | uk
    name: str
    short_name: str
    alt_name: str  # the English name of a Chinese issuer, or a former name of an English one
    stock_code: str
    exchange: str
    legal_rep: str
    secretary: str
    reg_address: str
    office_address: str
    postcode: str
    website: str
    email: str  # the board secretary's / investor relations e-mail printed in the profile
    secretary_phone: str
    fax: str
    auditor: str
    uscc: str  # empty for non-Chinese issuers
    unit: Unit
    footer_style: str
    region: people.Region | None


def make_company(index: int, lang: str, seed: int, salt: int = 0) -> Company:
    """Company ``index`` of a corpus; ``salt`` redraws its identity after a name clash."""
    rng = random.Random(f"{seed}/{lang}/{index}/company/{salt}")
    c = _zh_company(rng, index) if lang == "zh" else _en_company(rng, index)
    # Units and footer styles rotate through the companies (from a seeded start) rather than
    # being drawn, so that even a three-company corpus exercises every convention.
    units, footers = (_ZH_UNITS, _ZH_FOOTERS) if lang == "zh" else (_EN_UNITS, _EN_FOOTERS)
    pick = random.Random(f"{seed}/{lang}/conventions")
    unit_start, footer_start = pick.randrange(6), pick.randrange(6)
    return replace(
        c,
        unit=UNITS[units[(index + unit_start) % len(units)]],
        footer_style=footers[(index + footer_start) % len(footers)],
    )


def _zh_company(rng: random.Random, index: int) -> Company:
    prefix = "".join(rng.sample(_ZH_PREFIX, 2))
    industry, industry_en = rng.choice(_ZH_INDUSTRY)
    board, exchange = rng.choice(_ZH_BOARDS)
    region = rng.choice(people.REGIONS)
    road = f"{rng.choice(_ZH_ROADS)}{rng.randint(8, 2999)}号"
    city = region.city or ""
    reg_address = f"{region.province}{city}{region.district}{road}"
    code = f"{board}{rng.randint(1, 999):03d}"
    slug = f"{_pinyinish(prefix).lower()}{code}"
    return Company(
        company_id=f"cn{index + 1:02d}",
        lang="zh",
        market="cn",
        name=f"{prefix}{industry}股份有限公司",
        short_name=prefix + industry[:2],
        alt_name=f"{_pinyinish(prefix)} {industry_en} Co., Ltd.",
        stock_code=code,
        exchange=exchange,
        legal_rep=people.zh_name(rng),
        secretary=people.zh_name(rng),
        reg_address=reg_address,
        office_address=reg_address
        if rng.random() < 0.6
        else f"{region.province}{city}"
        f"{region.district}{rng.choice(_ZH_ROADS)}{rng.randint(8, 999)}号{rng.randint(2, 28)}楼",
        postcode=region.postcode,
        website=f"www.{slug}.example.com",
        email=f"{rng.choice(('ir', 'zqb', 'dmb', 'securities'))}@{slug}.example.com",
        secretary_phone=people.landline(rng, region),
        fax=people.landline(rng, region),
        auditor=rng.choice(_ZH_AUDITORS),
        uscc=people.uscc(rng, region),
        unit=UNITS["元"],
        footer_style="bare",
        region=region,
    )


def _en_company(rng: random.Random, index: int) -> Company:
    word, trade = rng.choice(_EN_WORDS), rng.choice(_EN_TRADES)
    market = "us" if index % 2 == 0 else "uk"
    suffix = rng.choice(
        (", Inc.", " Corporation", " Holdings, Inc.")
        if market == "us"
        else (" plc", " Group plc", " Holdings plc")
    )
    # Nasdaq tickers have four letters, LSE TIDMs usually three: initials plus random letters.
    extra = "".join(
        rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(2 if market == "us" else 1)
    )
    ticker = (word[0] + trade[0] + extra).upper()
    if market == "us":
        city, state, zipc = rng.choice(_US_CITIES)
        street = f"{rng.randint(100, 9800)} {rng.choice(('Harbor Point', 'Mission', 'Lakeview'))}"
        address = f"{street} Drive, Suite {rng.randint(1, 9)}00, {city}, {state} {zipc}"
        phone, postcode = people.us_phone(rng), zipc
    else:
        city, postcode = rng.choice(_UK_CITIES)
        street = f"{rng.randint(1, 120)} {rng.choice(('Wexford', 'Calder', 'Ferrier'))} Street"
        address = f"{street}, {city} {postcode}"
        phone = people.uk_phone(rng)
    slug = word.replace(" ", "").lower()
    return Company(
        company_id=f"{market}{index + 1:02d}",
        lang="en",
        market=market,
        name=f"{word} {trade}{suffix}",
        short_name=word,
        alt_name=f"{word} {trade} Group",
        stock_code=ticker,
        exchange="Nasdaq Global Select Market" if market == "us" else "London Stock Exchange",
        legal_rep=people.en_name(rng),
        secretary=people.en_name(rng),
        reg_address=address,
        office_address=address,
        postcode=postcode,
        website=f"www.{slug}.example.com",
        email=f"investors@{slug}.example.com",
        secretary_phone=phone,
        fax="",
        auditor=rng.choice(_EN_AUDITORS),
        uscc="",
        unit=UNITS["thousands"],
        footer_style="bare",
        region=None,
    )


def zh_firm(rng: random.Random, suffix: str) -> str:
    """A private company name such as 瀚拓投资管理有限公司 (related parties, shareholders)."""
    return "".join(rng.sample(_ZH_PREFIX, 2)) + suffix


_PINYIN = dict(
    zip(
        _ZH_PREFIX,
        [
            "Hua",
            "Chen",
            "Tai",
            "Yu",
            "Sheng",
            "Jin",
            "Han",
            "Lang",
            "Rui",
            "Jia",
            "Hao",
            "Qi",
            "Lan",
            "Tuo",
            "Heng",
            "Yuan",
            "Ding",
            "Jun",
        ],
        strict=True,
    )
)


def _pinyinish(prefix: str) -> str:
    return "".join(_PINYIN[c] for c in prefix)
