"""Fictional people and the personal data real reports print about them.

Numbers are random but *valid* (check digits pass), phone numbers follow the real dialling
formats, and e-mail domains are the reserved example.* names, so nothing here reaches a person.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from domainsft.utils.checksums import (
    gb11643_check_digit,
    gb11714_check_char,
    gb32100_check_char,
    luhn_check_digit,
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
_SURNAME_PINYIN = [
    "wang",
    "li",
    "zhang",
    "liu",
    "chen",
    "yang",
    "huang",
    "zhao",
    "wu",
    "zhou",
    "xu",
    "sun",
    "ma",
    "zhu",
    "hu",
    "guo",
    "he",
    "gao",
    "lin",
    "luo",
    "zheng",
    "liang",
    "xie",
    "song",
    "tang",
    "xu",
    "han",
    "feng",
    "deng",
    "cao",
    "peng",
    "zeng",
    "xiao",
    "tian",
    "dong",
    "yuan",
    "pan",
    "jiang",
    "cai",
    "yu",
    "du",
    "ye",
    "cheng",
]
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏辉建国志宏海波斌宇浩晨欣怡"
EN_FIRST = [
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "Daniel",
    "Sarah",
]
EN_LAST = [
    "Harlow",
    "Whitfield",
    "Pemberton",
    "Caldwell",
    "Ashby",
    "Thornton",
    "Mercer",
    "Langley",
    "Hollis",
    "Prescott",
]
_CARD_BINS = ("622202", "622848", "621700", "622588", "621483", "603367", "622262")
_MAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example.com")


@dataclass(frozen=True)
class Region:
    """One Chinese district: what an address, an area code and an ID prefix need to agree on."""

    province: str
    city: str
    district: str
    area_code: str
    code: str  # 6-digit administrative division code (GB/T 2260)
    postcode: str


REGIONS = (
    Region("浙江省", "杭州市", "余杭区", "0571", "330110", "311100"),
    Region("江苏省", "苏州市", "吴中区", "0512", "320506", "215100"),
    Region("上海市", "", "浦东新区", "021", "310115", "200120"),
    Region("广东省", "深圳市", "南山区", "0755", "440305", "518052"),
    Region("北京市", "", "海淀区", "010", "110108", "100080"),
    Region("四川省", "成都市", "武侯区", "028", "510107", "610041"),
    Region("湖北省", "武汉市", "洪山区", "027", "420111", "430070"),
    Region("山东省", "青岛市", "崂山区", "0532", "370212", "266061"),
)


def zh_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def en_name(rng: random.Random) -> str:
    return f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}"


def id_card(rng: random.Random, region: Region | None = None) -> str:
    """18-digit resident ID: division code, birth date, sequence, GB 11643 check character."""
    code = (region or rng.choice(REGIONS)).code
    birth = f"{rng.randint(1958, 1996)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body = f"{code}{birth}{rng.randint(1, 999):03d}"
    return body + gb11643_check_digit(body)


def mobile(rng: random.Random) -> str:
    """Mainland mobile number, in one of the spellings reports use."""
    digits = "1" + rng.choice("3456789") + f"{rng.randrange(10**9):09d}"
    style = rng.randrange(3)
    if style == 1:
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    if style == 2:
        return f"+86 {digits}"
    return digits


def landline(rng: random.Random, region: Region) -> str:
    """Fixed-line number: ``0571-8888 6666``, ``(021) 5888-1234`` or ``010-62881234``."""
    local = f"{rng.randint(2, 8)}{rng.randrange(10**7):07d}"
    style = rng.randrange(3)
    if style == 0:
        return f"{region.area_code}-{local[:4]} {local[4:]}"
    if style == 1:
        return f"({region.area_code}) {local[:4]}-{local[4:]}"
    return f"{region.area_code}-{local}"


def bank_card(rng: random.Random) -> str:
    """UnionPay-style card/account number of 16-19 digits with a valid Luhn digit."""
    length = rng.choice((16, 16, 19, 18, 17))
    body = rng.choice(_CARD_BINS) + "".join(str(rng.randrange(10)) for _ in range(length - 7))
    number = body + luhn_check_digit(body)
    if rng.random() < 0.4:
        return " ".join(number[i : i + 4] for i in range(0, len(number), 4))
    return number


def personal_email(rng: random.Random, name: str) -> str:
    local = _SURNAME_PINYIN[SURNAMES.index(name[0])] + str(rng.randint(1960, 1999))
    if rng.random() < 0.5:
        local = f"{local[:-4]}_{rng.randint(100, 999)}"
    return f"{local}@{rng.choice(_MAIL_DOMAINS)}"


def en_email(rng: random.Random, name: str, domain: str | None = None) -> str:
    first, last = name.lower().split()
    return f"{first}.{last}@{domain or rng.choice(_MAIL_DOMAINS)}"


def uscc(rng: random.Random, region: Region) -> str:
    """Unified social credit code of a company registered in ``region`` (GB 32100)."""
    # Post-2015 registrations start the organisation code with "MA"; the GB 11714 check of a
    # body drawn from digits and A-H is a digit or X, both inside the USCC alphabet.
    org_body = "MA" + "".join(rng.choice("0123456789ABCDEFGH") for _ in range(6))
    org = org_body + gb11714_check_char(org_body)
    first17 = "91" + region.code + org
    return first17 + gb32100_check_char(first17)


def us_phone(rng: random.Random) -> str:
    """US number in the 555-01xx block reserved for fiction."""
    return f"({rng.choice(('212', '415', '617', '312'))}) 555-01{rng.randint(0, 99):02d}"


def uk_phone(rng: random.Random) -> str:
    """UK number in Ofcom's London drama range 020 7946 0000-0999."""
    return f"+44 20 7946 0{rng.randint(0, 999):03d}"
