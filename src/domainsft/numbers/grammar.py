"""The token grammar: regular expressions for printed numbers with their words."""

from __future__ import annotations

import re

# ---------------------------------------------------------------------------- token grammar

_CUR_LEFT = r"US\$|HK\$|NZ\$|S\$|A\$|C\$|RMB\s?¥|RMB|CNY|USD|HKD|EUR|GBP|人民币|\$|¥|€|£"
_CUR_SYMBOLS = frozenset({"$", "us$", "hk$", "nz$", "s$", "a$", "c$", "¥", "€", "£"})
_ZH_SCALE = r"万亿|千亿|百亿|十亿|千万|百万|十万|亿|万|千"
_ZH_CUR = r"人民币元|人民币|美元|港元|港币|欧元|元"
_EN_SCALE_RE = r"(?i:(?:trillion|billion|million|thousand)s?|bn|mn|tn)(?![A-Za-z])"
_EN_CUR = r"(?i:US\s+dollars|U\.S\.\s+dollars|dollars|USD|RMB|CNY|yuan|renminbi|HKD|euros?)"
_UNIT = (
    r"%|个百分点|百分点|(?i:percentage\s+points?|ppt?|per\s?cent)(?![A-Za-z])|/股|/share"
    r"|(?i:per\s+(?:basic\s+|diluted\s+)?share)|人(?!民)|名|(?i:employees|persons|people)"
    r"(?![A-Za-z])|倍|(?i:times)(?![A-Za-z])|(?<=\d)x(?![A-Za-z])|天|(?i:days?)(?![A-Za-z])"
    r"|股(?![东票权])|(?i:shares)(?![A-Za-z])|(?i:bps?)(?![A-Za-z])|基点"
)
_UNIT_KIND = {
    "%": "%", "percent": "%", "per cent": "%", "个百分点": "pp", "百分点": "pp", "pp": "pp",
    "ppt": "pp", "percentage point": "pp", "percentage points": "pp", "/股": "/share",
    "/share": "/share", "人": "persons",
    "名": "persons", "employees": "persons", "persons": "persons", "people": "persons",
    "倍": "times", "times": "times", "x": "times", "天": "days", "day": "days", "days": "days",
    "股": "shares", "shares": "shares", "bp": "bp", "bps": "bp", "基点": "bp",
}  # fmt: skip
_ZH_DIGIT = "零〇一二两三四五六七八九壹贰叁肆伍陆柒捌玖"
_ZH_UNIT = "十百千万亿拾佰仟"


def _number_re(group_spaces: str) -> str:
    """A printed number: comma or space groups of exactly three digits, or plain digits."""
    return (
        rf"(?:\d{{1,3}}(?:,\d{{3}}(?!\d))+|\d{{1,3}}(?:[{group_spaces}]\d{{3}}(?!\d))+|\d+)"
        r"(?:\.\d+)?"
    )


def _tail_re() -> str:
    """Scale, currency and unit words after the number; the closing paren only if one opened."""
    # $(1.3) opens after the currency; (6)% closes before the percent sign.
    close = (
        r"(?(lp)\s*(?P<rp>\)))(?(lp2)\s*(?P<rp2>\)))"
        r"(?:(?<=\))\s*(?P<post>%|(?i:bps?)(?![A-Za-z])))?"
        rf"(?:(?<=\))\s*(?P<pscale>{_EN_SCALE_RE}))?"  # $(9.8) million
    )
    return rf"""
        (?:\s*(?P<zscale>{_ZH_SCALE}))?
        (?:\s*(?P<zcur>{_ZH_CUR}))?
        (?:\s*(?P<escale>{_EN_SCALE_RE}))?
        (?:(?P<short>MM|[mMkKbB])(?![A-Za-z]))?
        (?:\s*(?P<ecur>{_EN_CUR})(?![A-Za-z]))?
        (?:\s*(?P<unit>{_UNIT}))?
        {close}
    """


def _token_re(group_spaces: str) -> re.Pattern[str]:
    # A sign must not follow a letter, digit or '%': in 2018-2019, COVID-19, 5%-10% it is a dash.
    head = rf"""
        (?:(?P<lp>\()\s*)?
        (?:(?<![A-Za-z0-9.%)])(?P<sign1>[-+])\s*)?
        (?:(?<![A-Za-z])(?P<cur>{_CUR_LEFT})\s*(?P<sign2>[-+])?(?:(?P<lp2>\()\s*)?)?
        (?<![\d.])(?P<num>{_number_re(group_spaces)})
    """
    return re.compile(head + _tail_re(), re.X)


_TEXT_TOKEN = _token_re("\u00a0\u2009\u202f")
_CELL_TOKEN = _token_re(" \u00a0\u2009\u202f")
_CN_TOKEN = re.compile(
    rf"""
    (?P<percent_of>百分之)?
    (?P<cn>负?[{_ZH_DIGIT}十拾][{_ZH_DIGIT}{_ZH_UNIT}]*(?:点[{_ZH_DIGIT}]+(?:万亿|亿|万)?)?)
    (?:\s*(?P<zcur>{_ZH_CUR}))?
    (?:\s*(?P<unit>{_UNIT}))?
    """,
    re.X,
)
