"""Numbers as annual reports print them: parse, scale, round, format and compare, in Decimal.

One kernel shared by fact extraction, dataset building, evaluation and the serving verifier, so
that all four agree on what a printed figure means.

Conventions:

* A ``Quantity.value`` is in base units: yuan / dollars for money, percent points for ``%``
  (12.35 means 12.35%), persons for headcounts. The scale it was printed in (万元, millions …) is
  kept beside it as a field and is never applied twice.
* Precision travels with the value: ``Quantity.precision`` is the step of the last printed digit
  in base units (``11.75亿元`` → 1,000,000), so ``11.75亿元`` and ``1,175,301,034.32元`` compare
  equal at the coarser of the two precisions.
* Rounding is ROUND_HALF_UP, as reports and the CSRC rules round (never float, never banker's).
* A bare integer such as ``2019`` parses as a number: only the caller knows whether a year is
  meant. ``find_quantities`` flags likely years, dates, page and section references instead.
* Parentheses mean a negative number in a table cell (``(1,234)``). In running text they do only
  when they tightly wrap a number, a symbol and ``%`` (``(10.9%)``); ``(RMB 3.2 million)`` in
  prose is an aside, not a loss.
* In prose a full-width comma ``，`` is punctuation; it groups thousands only between full-width
  digits (``１２３，４５６``). Plain spaces group thousands only in a cell, never in prose, where
  ``2019 123`` is two numbers; thin and no-break spaces group in both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

# ---------------------------------------------------------------------------- characters

_MINUS_CHARS = "\u2212\u2013\u2010\u2011\ufe63"  # − – ‐ ‑ ﹣: minus signs as typeset


def _halfwidth_table(keep: str = "") -> dict[int, str]:
    """One-to-one character map, so that spans in the mapped text are spans in the original."""
    table = {c: chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F) if chr(c) not in keep}
    table[0x3000] = " "  # ideographic space
    table[0xFFE5] = "¥"  # full-width yen sign lies outside the FF01-FF5E block
    table.update({ord(c): "-" for c in _MINUS_CHARS})
    return table


_CELL_CHARS = _halfwidth_table()
_TEXT_CHARS = _halfwidth_table(keep="，")
_FW_GROUP = re.compile(r"(?<=[０-９])，(?=[０-９]{3}(?![０-９]))")


def _normalise(text: str, cell: bool) -> str:
    if not cell:
        text = _FW_GROUP.sub(",", text)
    return text.translate(_CELL_CHARS if cell else _TEXT_CHARS)


NULL_MARKERS = frozenset(
    {"-", "--", "—", "——", "–", "―", "不适用", "无", "n/a", "na", "n.a.", "nm", "n.m.", "/", "*"}
)


def is_null_marker(text: str) -> bool:
    """True for the cells reports print where a value is absent (``—``, ``不适用``, ``N/A``)."""
    return _normalise(text, cell=True).strip().lower() in NULL_MARKERS


# ---------------------------------------------------------------------------- scales, currencies

# Powers of ten: scaling with Decimal.scaleb is exact, division by a factor need not be.
_SCALE_EXP: dict[str, int] = {
    "1": 0, "": 0, "元": 0,
    "千": 3, "千元": 3, "万": 4, "万元": 4, "十万": 5, "十万元": 5, "百万": 6, "百万元": 6,
    "千万": 7, "千万元": 7, "亿": 8, "亿元": 8, "十亿": 9, "十亿元": 9, "百亿": 10, "百亿元": 10,
    "千亿": 11, "千亿元": 11, "万亿": 12, "万亿元": 12,
    "thousands": 3, "thousand": 3, "k": 3, "'000": 3, "’000": 3,
    "millions": 6, "million": 6, "mn": 6, "m": 6, "mm": 6, "mil": 6,
    "billions": 9, "billion": 9, "bn": 9, "b": 9,
    "trillions": 12, "trillion": 12, "tn": 12,
}  # fmt: skip
_EN_SCALE = {3: "thousands", 6: "millions", 9: "billions", 12: "trillions"}
_EN_WORD = {3: "thousand", 6: "million", 9: "billion", 12: "trillion"}
_ZH_MULT = {3: "千", 4: "万", 6: "百万", 7: "千万", 8: "亿", 9: "十亿", 12: "万亿"}

_CURRENCY = {
    "$": "USD", "us$": "USD", "usd": "USD", "us dollars": "USD", "u.s. dollars": "USD",
    "dollars": "USD", "美元": "USD",
    "hk$": "HKD", "hkd": "HKD", "港元": "HKD", "港币": "HKD",
    "rmb": "CNY", "rmb¥": "CNY", "rmb ¥": "CNY", "cny": "CNY", "¥": "CNY", "人民币": "CNY",
    "人民币元": "CNY", "元": "CNY", "yuan": "CNY", "renminbi": "CNY",
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR", "欧元": "EUR",
    "£": "GBP", "gbp": "GBP", "s$": "SGD", "a$": "AUD", "c$": "CAD", "nz$": "NZD",
}  # fmt: skip
_ZH_CURRENCY_WORD = {"CNY": "元", "USD": "美元", "HKD": "港元", "EUR": "欧元"}
_EN_CURRENCY_SIGN = {"USD": "$", "CNY": "RMB ", "HKD": "HK$", "EUR": "€", "GBP": "£"}


def _scale_exp(scale: str) -> int:
    key = scale.strip()
    exp = _SCALE_EXP.get(key, _SCALE_EXP.get(key.lower()))
    if exp is None:
        raise ValueError(f"unknown scale {scale!r}; known: {sorted(_SCALE_EXP)}")
    return exp


def scale_factor(scale: str) -> Decimal:
    """Base units per printed unit: ``scale_factor("万元") == 10000``."""
    return Decimal(10 ** _scale_exp(scale))


def canonical_scale(scale: str) -> str:
    """English aliases to one spelling (``bn`` → ``billions``); Chinese scales as printed."""
    exp, key = _scale_exp(scale), scale.strip()
    if exp and not any(c in "千万亿元" for c in key):
        return _EN_SCALE[exp]
    return key or "1"


def _exponent(value: Decimal) -> int:
    """Decimal places printed, negated (``12.30`` → -2); 0 for NaN and infinities."""
    exp = value.as_tuple().exponent
    return exp if isinstance(exp, int) else 0


def _plain(value: Decimal) -> Decimal:
    """No positive exponent (``1.175E+9`` → ``1175000000``): values stay readable in JSON."""
    return value.quantize(Decimal(1)) if _exponent(value) > 0 else value


def to_base(value: Decimal, scale: str) -> Decimal:
    """A printed number in ``scale`` → base units (``to_base(11.75, "亿元") == 1175000000``)."""
    return _plain(Decimal(value).scaleb(_scale_exp(scale)))


def from_base(value: Decimal, scale: str) -> Decimal:
    """Base units → a number in ``scale`` (exact: every scale is a power of ten)."""
    return _plain(Decimal(value).scaleb(-_scale_exp(scale)))


# ---------------------------------------------------------------------------- Quantity


@dataclass(frozen=True)
class Quantity:
    """A number with its unit and the scale it was printed in.

    ``value`` is in base units (yuan, dollars, percent points, persons). ``quantum`` is the step
    of the last printed digit in base units; ``None`` means: read it off ``value``'s exponent.
    ``span`` and ``role`` are set by ``find_quantities``: ``role`` is ``value`` for a number that
    can be an answer and ``year``, ``date``, ``page``, ``section``, ``ordinal``, ``fraction`` or
    ``code`` for the numbers that only locate or name something.
    """

    value: Decimal
    unit: str = ""  # CNY, USD, HKD, %, pp, persons, shares, times, days, CNY/share, "" (unknown)
    scale: str = "1"  # 元 万元 亿元 百万元 千元 thousands millions billions 1 ...
    printed: str = ""
    quantum: Decimal | None = None
    span: tuple[int, int] | None = None
    role: str = "value"

    @property
    def precision(self) -> Decimal:
        if self.quantum is not None:
            return self.quantum
        return Decimal(1).scaleb(min(_exponent(self.value), 0))

    @property
    def is_candidate(self) -> bool:
        """Whether this number can be the answer to a question (not a year, page, date …)."""
        return self.role == "value"


# ---------------------------------------------------------------------------- token grammar

_CUR_LEFT = r"US\$|HK\$|NZ\$|S\$|A\$|C\$|RMB\s?¥|RMB|CNY|USD|HKD|EUR|GBP|人民币|\$|¥|€|£"
_CUR_SYMBOLS = frozenset({"$", "us$", "hk$", "nz$", "s$", "a$", "c$", "¥", "€", "£"})
_ZH_SCALE = r"万亿|十亿|千万|百万|亿|万|千"
_ZH_CUR = r"人民币元|人民币|美元|港元|港币|欧元|元"
_EN_SCALE_RE = r"(?i:(?:trillion|billion|million|thousand)s?|bn|mn|tn)(?![A-Za-z])"
_EN_CUR = r"(?i:US\s+dollars|U\.S\.\s+dollars|dollars|USD|RMB|CNY|yuan|renminbi|HKD|euros?)"
_UNIT = (
    r"%|个百分点|百分点|(?i:percentage\s+points?|ppt?)(?![A-Za-z])|/股|/share"
    r"|(?i:per\s+(?:basic\s+|diluted\s+)?share)|人(?!民)|名|(?i:employees|persons|people)"
    r"(?![A-Za-z])|倍|(?i:times)(?![A-Za-z])|(?<=\d)x(?![A-Za-z])|天|(?i:days?)(?![A-Za-z])"
    r"|股(?![东票权])|(?i:shares)(?![A-Za-z])|(?i:bps?)(?![A-Za-z])|基点"
)
_UNIT_KIND = {
    "%": "%", "个百分点": "pp", "百分点": "pp", "pp": "pp", "ppt": "pp", "percentage point": "pp",
    "percentage points": "pp", "/股": "/share", "/share": "/share", "人": "persons",
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


# ---------------------------------------------------------------------------- Chinese numerals

_CN_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "两": 2, "贰": 2, "三": 3, "叁": 3, "四": 4,
    "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9,
    "玖": 9,
}  # fmt: skip
_CN_SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}


def parse_chinese_number(text: str) -> Decimal | None:
    """``三千二百万`` → 32000000, ``二十点五`` → 20.5, ``二〇一九`` → 2019, ``负三`` → -3."""
    text = text.strip()
    negative = text.startswith("负")
    whole, dot, frac = text.removeprefix("负").partition("点")
    integer = _cn_integer(whole)
    if integer is None or (dot and not frac) or any(c not in _CN_DIGITS for c in frac):
        return None
    value = Decimal(f"{integer}.{''.join(str(_CN_DIGITS[c]) for c in frac)}" if frac else integer)
    return -value if negative else value


def _cn_integer(text: str) -> int | None:
    if not any(c in _CN_DIGITS or c in "十拾" for c in text):  # 万 or 百万 alone is a scale
        return None
    if all(c in _CN_DIGITS for c in text):  # positional digits, as in years: 二〇一九
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    total = section = current = 0  # done 亿 groups, done 万 groups, the group being read
    digit: int | None = None
    for c in text:
        if c in _CN_DIGITS:
            if digit:  # 三四百 is a range ("three or four hundred"), not one number
                return None
            digit = _CN_DIGITS[c]
        elif c in _CN_SMALL:
            current += (digit or 1) * _CN_SMALL[c]  # 十二: a bare 十 counts one ten
            digit = None
        elif c == "万":
            section += (current + (digit or 0)) * 10**4
            current, digit = 0, None
        elif c == "亿":  # also closes 万 groups: 三万亿 = 3 x 10^12
            total += (section + current + (digit or 0)) * 10**8
            section, current, digit = 0, 0, None
        else:
            return None
    return total + section + current + (digit or 0)


def _split_cn_scale(run: str) -> tuple[str, str]:
    """``三千二百万`` → (``三千二百``, ``万``): a trailing 万/亿 is the scale, as in 3200万元,
    unless a larger unit comes before it (一亿二千万 is one number)."""
    for big in ("万亿", "亿", "万"):
        head = run.removesuffix(big)
        if head != run and head and "亿" not in head and (big == "万" or "万" not in head):
            return head, big
    return run, ""


# ---------------------------------------------------------------------------- tokens → Quantity


def _currency(*words: str | None) -> str | None:
    for word in words:
        if word:
            code = _CURRENCY.get(" ".join(word.lower().split()))
            if code:
                return code
    return None


def _printed_scale(g: dict[str, str | None]) -> str | None:
    if g.get("zcur") in ("元", "人民币元"):
        return (g.get("zscale") or "") + "元"
    if g.get("zscale"):
        return g["zscale"]
    word = g.get("escale") or g.get("short")
    return canonical_scale(word) if word else None


def _unit_and_scale(
    g: dict[str, str | None], default_unit: str | None, default_scale: str | None
) -> tuple[str, str]:
    currency = _currency(g.get("cur"), g.get("zcur"), g.get("ecur"))
    word = _unit_word(g)
    kind = "/share" if word.startswith("per ") else _UNIT_KIND.get(word)
    scale = _printed_scale(g)
    if kind == "/share":
        money = currency or (default_unit if default_unit in _EN_CURRENCY_SIGN else None)
        return (f"{money}/share" if money else "/share"), scale or "1"
    if kind:
        return kind, scale or "1"
    # Defaults (from the table's unit line) fill only what the cell itself does not print.
    return currency or default_unit or "", scale or default_scale or "1"


def _unit_word(g: dict[str, str | None]) -> str:
    return " ".join((g.get("unit") or g.get("post") or "").lower().split())


def _is_tight(g: dict[str, str | None]) -> bool:
    """Parens that wrap only a number, a currency symbol and '%' mark a negative in prose;
    ``(RMB 3.2 million)`` is an aside. Parens opened after a currency (``£(8.1m)``) always do."""
    if g.get("lp2"):
        return True
    words = ("zscale", "zcur", "escale", "short", "ecur")
    symbol_only = not g.get("cur") or (g["cur"] or "").lower() in _CUR_SYMBOLS
    return not any(g.get(k) for k in words) and symbol_only and (g.get("unit") or "") in ("", "%")


def _negative(g: dict[str, str | None], cell: bool) -> bool:
    signs = [s for s in (g.get("sign1"), g.get("sign2")) if s]
    wrapped = (g.get("lp") and g.get("rp")) or (g.get("lp2") and g.get("rp2"))
    paren = bool(wrapped) and (cell or _is_tight(g))
    return (signs.count("-") % 2 == 1) != paren


def _quantity(
    number: Decimal,
    g: dict[str, str | None],
    printed: str,
    *,
    cell: bool,
    default_unit: str | None = None,
    default_scale: str | None = None,
) -> Quantity:
    unit, scale = _unit_and_scale(g, default_unit, default_scale)
    exp = _scale_exp(scale)
    value = _plain(number.scaleb(exp))
    quantum = Decimal(1).scaleb(min(_exponent(number), 0) + exp)
    if _negative(g, cell):
        value = -value
    return Quantity(value, unit, scale, printed, quantum=_plain(quantum))


def _digits(num: str) -> Decimal:
    return Decimal(re.sub(r"[,\s\u00a0\u2009\u202f]", "", num))


def _cn_quantity(m: re.Match[str], printed: str, **defaults: str | None) -> Quantity | None:
    g = m.groupdict()
    if g["percent_of"]:
        number = parse_chinese_number(g["cn"])
        return None if number is None else _quantity(number, {"unit": "%"}, printed, cell=True)
    head, big = _split_cn_scale(g["cn"])
    number = parse_chinese_number(head)
    if number is None:
        return None
    return _quantity(number, {**g, "zscale": big or None}, printed, cell=True, **defaults)


# ---------------------------------------------------------------------------- parse one cell


def parse_quantity(
    text: str, default_unit: str | None = None, default_scale: str | None = None
) -> Quantity | None:
    """One printed figure with its unit and scale words, or None if ``text`` is anything else.

    ``default_unit``/``default_scale`` come from the table's unit line (``单位：万元``) and fill
    only what the text does not print itself: a ``%`` or ``元/股`` cell never takes 万元.
    """
    norm = _normalise(text, cell=True).strip()
    printed = text.strip()
    m = _CELL_TOKEN.fullmatch(norm)
    if m:
        g = m.groupdict()
        return _quantity(
            _digits(g["num"]), g, printed, cell=True,
            default_unit=default_unit, default_scale=default_scale,
        )  # fmt: skip
    m = _CN_TOKEN.fullmatch(norm)
    if m:
        return _cn_quantity(m, printed, default_unit=default_unit, default_scale=default_scale)
    return None


def parse_number(text: str) -> Decimal | None:
    """One printed number (a table cell) as a Decimal, or None.

    Accepts thousands groups, full-width digits, ``−``/``+`` signs, ``(1,234)`` negatives, a
    currency symbol and a trailing ``%`` (``(10.9%)`` → -10.9, in percent points). Scale and unit
    words (``万``, ``million``, ``元``) are ``parse_quantity``'s job: here they give None, as do
    dashes, ``不适用``, ``N/A`` and text such as ``2019年``. A bare ``2019`` is the number 2019.
    """
    m = _CELL_TOKEN.fullmatch(_normalise(text, cell=True).strip())
    if not m:
        return None
    g = m.groupdict()
    if any(g[k] for k in ("zscale", "zcur", "escale", "short", "ecur")):
        return None
    if _unit_word(g) not in ("", "%") or (g["cur"] and g["cur"].lower() not in _CUR_SYMBOLS):
        return None
    number = _digits(g["num"])
    return -number if _negative(g, cell=True) else number


# ---------------------------------------------------------------------------- numbers in text

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?(?![A-Za-z])"
)
# Numbers that locate or name something rather than measure it, tried in this order; the first
# claim on a stretch of text wins (2024年12月31日 is one date, not a year and two numbers).
_LOCATORS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("code", re.compile(
        r"(?<![\d.])\d{6}\.(?i:SH|SZ|BJ|HK|SS)(?![A-Za-z])"
        r"|(?:代码|(?<![A-Za-z])(?i:code))\s*:?\s*\d+"
        r"|(?<![A-Za-z])(?:ASC|ASU|IFRS|IAS|SFAS|FRS|SAB|IFRIC)\s+(?:No\.\s*)?\d+(?:-\d+)*"
    )),
    ("date", re.compile(
        r"\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?"
        r"|(?<!\d)\d{1,2}\s*月\s*\d{1,2}\s*[日号]|(?<![\d.])\d{1,2}\s*月份?"
        r"|(?<![\d.])\d{4}([-/.])\d{1,2}\1\d{1,2}(?!\d)"
        r"|(?<![\d.,])(?:19|20)\d{2}-(?:0[1-9]|1[0-2])(?![\d-])"
        r"|(?<![\d.])\d{1,2}([-/.])\d{1,2}\2\d{4}(?!\d)"
        rf"|(?<![A-Za-z]){_MONTH}\s*\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?(?!\d)"
        rf"|(?<![\d.])\d{{1,2}}\s+{_MONTH}(?:,?\s+\d{{4}})?(?!\d)"
        rf"|(?<![A-Za-z]){_MONTH},?\s+\d{{4}}(?!\d)"
    )),
    ("page", re.compile(
        r"第\s*\d+\s*页|共\s*\d+\s*页"
        r"|(?<![A-Za-z])(?i:pages?|pp?\.)\s*\d+(?:\s*-\s*\d+)?(?:\s+(?i:of)\s+\d+|\s*/\s*\d+)?"
    )),
    ("section", re.compile(
        r"第\s*\d+\s*[节章条款部篇项]"
        r"|(?<![A-Za-z])(?i:sections?|items?|notes?|part|chapter|table|figure|exhibit|appendix|topic"
        r"|schedule)\s+\d+(?:\.\d+)*[A-Za-z]?(?![\d])"
        r"|(?:附注|注释|附表|表|图)\s*\d+(?:[.-]\d+)*"
        r"|(?<![\d.])\d+(?:\.\d+){2,}(?!\d)"
        r"|(?<![$¥€£A-Za-z0-9])\(\d{1,2}\)(?=\s*[A-Z\u4e00-\u9fff])"
        r"|(?<![\d.,])\d{1,2}、"
        r"|^[ \t]*\d{1,2}\.(?=[ \t]+[^\d\s])",
        re.M,
    )),
    ("ordinal", re.compile(r"第\s*\d+")),
    ("year", re.compile(
        r"(?<![\d.,])(?:19|20)\d{2}\s*(?:财年|财政年度|会计年度|年度|年)"
        r"|(?<![A-Za-z])(?i:FY|CY|fiscal(?:\s+year)?|financial\s+year)\s*'?(?:\d{4}|\d{2})(?!\d)"
        r"|(?<![A-Za-z])F\d{2}(?!\d)"
        r"|(?<![\d.,])(?:19|20)\d{2}\s*[-/]\s*(?:(?:19|20)\d{2}|\d{2})(?![\d.,/])"
    )),
    ("fraction", re.compile(r"(?<![\d.,/])\d+\s*/\s*\d+(?![\d.,/])")),
)  # fmt: skip
_BARE_YEAR = re.compile(r"(?:19|20)\d{2}")
_WORD_GROUPS = ("zscale", "zcur", "escale", "short", "ecur", "unit", "post")


def find_quantities(text: str) -> list[Quantity]:
    """Every number in free text, left to right, with unit, scale, ``span`` and ``role``.

    ``text[q.span[0]:q.span[1]] == q.printed``. Role ``value`` marks the numbers that can answer
    a question; years (``2019年``, ``FY2018``, a bare 1900-2099), dates, page references
    (``第5页``, ``p. 7``), sections (``第三节`` has no digit; ``Note 12``, ``3.2.1``, ``(1)``),
    ordinals, fractions such as the page counter ``5 / 156`` and codes (``600519.SH``, ``5G``)
    get their own role. A locator's ``value`` is the first number it prints (for a year, the
    four-digit year: ``FY18`` → 2018).
    """
    norm = _normalise(text, cell=False)
    taken = bytearray(len(norm))
    found: list[Quantity] = []
    for role, pattern in _LOCATORS:
        for m in pattern.finditer(norm):
            if _claim(taken, m.start(), m.end()):
                found.append(_locator(text, m, role))
    for m in _TEXT_TOKEN.finditer(norm):
        start, end = _token_span(m)
        if _claim(taken, start, end):
            found.append(_text_token(text, norm, m, (start, end)))
    for m in _CN_TOKEN.finditer(norm):
        q = _cn_quantity(m, text[m.start() : m.end()]) if _cn_has_unit(m) else None
        if q is not None and _claim(taken, m.start(), m.end()):
            found.append(replace(q, span=(m.start(), m.end())))
    return sorted(found, key=lambda q: q.span or (0, 0))


def _claim(taken: bytearray, start: int, end: int) -> bool:
    if start >= end or any(taken[start:end]):
        return False
    taken[start:end] = b"\x01" * (end - start)
    return True


def _locator(text: str, m: re.Match[str], role: str) -> Quantity:
    first = re.search(r"\d+", m.group())
    value = Decimal(first.group() if first else 0)
    if role == "year" and value < 100:  # FY18, F19: two-digit fiscal years
        value += 2000 if value < 50 else 1900
    return Quantity(value, "", "1", text[m.start() : m.end()], Decimal(1), m.span(), role)


def _token_span(m: re.Match[str]) -> tuple[int, int]:
    """The token without the parens of a prose aside: ``(RMB 3.2 million)`` → RMB 3.2 million."""
    if (m["lp"] or m["lp2"]) and _is_tight(m.groupdict()):
        return m.span()
    start = min(m.start(k) for k in ("sign1", "cur", "num") if m[k])
    end = max(m.end(k) for k in ("num", *_WORD_GROUPS) if m[k])
    return start, end


def _text_token(text: str, norm: str, m: re.Match[str], span: tuple[int, int]) -> Quantity:
    g = m.groupdict()
    if not _is_tight(g):
        g["lp"] = g["rp"] = None
    if g["short"] and not g["cur"]:  # 5m, 10k in prose: a code or a unit of length, not money
        g["short"] = None
    q = _quantity(_digits(g["num"]), g, text[span[0] : span[1]], cell=False)
    return replace(q, span=span, role=_token_role(norm, m, span))


def _token_role(norm: str, m: re.Match[str], span: tuple[int, int]) -> str:
    start, end = span
    before, after = norm[max(start - 2, 0) : start], norm[end : end + 1]
    glued_before = before[-1:].isascii() and before[-1:].isalpha()
    glued_dash = before[-1:] in ("-", "_") and before[:1].isascii() and before[:1].isalpha()
    if glued_before or glued_dash or (after.isascii() and after.isalpha()):
        return "code"  # Q3, COVID-19, 5G, ISO9001
    if m["short"] and not m["cur"]:
        return "code"
    bare = not any(m[k] for k in ("lp", "lp2", "sign1", "cur", *_WORD_GROUPS))
    return "year" if bare and _BARE_YEAR.fullmatch(m["num"]) else "value"


def _cn_has_unit(m: re.Match[str]) -> bool:
    """Chinese numerals count only with 百分之 or a unit: 一 and 两 are everyday words."""
    return bool(m["percent_of"] or m["zcur"] or m["unit"])


# ---------------------------------------------------------------------------- unit lines

_ZH_UNIT_LINE = re.compile(
    rf"单位\s*:\s*(?P<cur>人民币|美元|港币|港元)?\s*(?P<mult>{_ZH_SCALE})?\s*"
    r"(?P<what>人民币元|美元|港元|港币|元|人|%|股|户|家)"
)
_ZH_CURRENCY_LINE = re.compile(r"币种\s*:\s*(?P<cur>人民币|美元|港币|港元)")
_ZH_LINE_UNIT = {"人": "persons", "%": "%", "股": "shares", "户": "accounts", "家": "entities"}
_EN_LINE_SCALE = re.compile(
    r"(?<![A-Za-z])(?i:thousands|millions|billions|thousand|million|billion)(?![A-Za-z])|['’]000"
)
_EN_LINE_CUE = re.compile(
    r"(?i:(?<![A-Za-z])in\s+|amounts|['’]000|(?:US\$|HK\$|RMB|USD|HKD|CNY|\$)\s*(?:thousand|million|billion))"
)
_EN_LINE_CURRENCY = re.compile(
    r"US\$|HK\$|\$|(?<![A-Za-z])(?i:U\.?S\.?\s+dollars|dollars|USD|HKD|RMB|CNY|renminbi|yuan)"
    r"(?![A-Za-z])"
)


def parse_unit_line(text: str) -> tuple[str, str] | None:
    """A table's unit line → ``(unit, scale)``; unit is ``""`` where the line names no currency.

    ``单位：元 币种：人民币`` → (CNY, 元); ``（货币单位：人民币百万元）`` → (CNY, 百万元);
    ``(in millions, except per share data)`` → ("", millions); ``(in thousands of US dollars)``
    → (USD, thousands). Prose that merely mentions millions is not a unit line: a line with a
    digit (other than ``'000``) or longer than 120 characters gives None.
    """
    norm = _normalise(text, cell=True).strip()
    if not norm or len(norm) > 120:
        return None
    return _zh_unit_line(norm) or _en_unit_line(norm)


def _zh_unit_line(norm: str) -> tuple[str, str] | None:
    m = _ZH_UNIT_LINE.search(norm)
    if not m:
        return None
    what, mult = m["what"], m["mult"] or ""
    if what in _ZH_LINE_UNIT:
        return _ZH_LINE_UNIT[what], mult or "1"
    named = _ZH_CURRENCY_LINE.search(norm)
    currency = _currency(m["cur"], named and named["cur"], what) or "CNY"
    return currency, _printed_scale({"zscale": mult or None, "zcur": what}) or "1"


def _en_unit_line(norm: str) -> tuple[str, str] | None:
    scale = _EN_LINE_SCALE.search(norm)
    if not scale or not _EN_LINE_CUE.search(norm) or re.search(r"\d", _EN_LINE_SCALE.sub("", norm)):
        return None
    currency = _EN_LINE_CURRENCY.search(norm)
    return _currency(currency and currency.group()) or "", canonical_scale(scale.group())


# ---------------------------------------------------------------------------- rounding, formatting


def round_half_up(value: Decimal | int | str, places: int) -> Decimal:
    """Round as reports do: ``round_half_up(Decimal("2.675"), 2) == Decimal("2.68")`` (float
    arithmetic gives 2.67, because 2.675 is stored as 2.67499999...)."""
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_number(value: Decimal, places: int | None = 2, thousands: bool = True) -> str:
    """``1175301034.324`` → ``1,175,301,034.32``; ``places=None`` keeps the digits given."""
    q = Decimal(value) if places is None else round_half_up(value, places)
    if q == 0:
        q = abs(q)  # no "-0.00" from a tiny negative
    digits = "" if places is None else f".{max(places, 0)}"
    return format(q, f"{',' if thousands else ''}{digits}f")


def percent(part: Decimal, whole: Decimal, places: int = 2) -> Decimal | None:
    """``part / whole`` in percent points, ROUND_HALF_UP; None when ``whole`` is zero."""
    if whole == 0:
        return None
    return round_half_up(Decimal(part) / Decimal(whole) * 100, places)


def format_quantity(
    q: Quantity | Decimal,
    unit: str | None = None,
    scale: str | None = None,
    places: int = 2,
    lang: str = "zh",
) -> str:
    """A base-unit value rendered in ``scale``: ``11.75亿元``, ``117,530.10万元``,
    ``$1,577 million``, ``12.35%``. A Quantity supplies unit and scale unless they are given.

    English has no word for 万 and 亿; in English those scales are printed the Chinese way.
    """
    if isinstance(q, Quantity):
        value, unit, scale = q.value, unit or q.unit, scale or q.scale
    else:
        value = Decimal(q)
    unit, scale = unit or "", scale or "1"
    number = format_number(abs(from_base(value, scale)), places)
    sign = "-" if round_half_up(from_base(value, scale), places) < 0 else ""
    render = _render_en if lang == "en" and _scale_exp(scale) in _EN_WORD | {0: ""} else _render_zh
    return sign + render(number, unit, scale)


_ZH_UNIT_WORD = {
    "%": "%",
    "pp": "个百分点",
    "persons": "人",
    "shares": "股",
    "times": "倍",
    "days": "天",
}
_EN_UNIT_WORD = {
    "%": "%", "pp": " percentage points", "persons": " persons", "shares": " shares",
    "times": "x", "days": " days",
}  # fmt: skip


def _zh_mult(scale: str) -> str:
    exp = _scale_exp(scale)
    return "" if exp == 0 else scale.removesuffix("元") if not scale.isascii() else _ZH_MULT[exp]


def _render_zh(number: str, unit: str, scale: str) -> str:
    mult = _zh_mult(scale)
    currency, per_share = unit.removesuffix("/share"), unit.endswith("/share")
    if unit in _ZH_UNIT_WORD:
        return f"{number}{mult}{_ZH_UNIT_WORD[unit]}"
    if currency in _ZH_CURRENCY_WORD:
        return f"{number}{mult}{_ZH_CURRENCY_WORD[currency]}{'/股' if per_share else ''}"
    return f"{number}{mult}{' ' + unit if unit else ''}"


def _render_en(number: str, unit: str, scale: str) -> str:
    word = _EN_WORD.get(_scale_exp(scale), "")
    amount = f"{number} {word}" if word else number
    currency, per_share = unit.removesuffix("/share"), unit.endswith("/share")
    if unit in _EN_UNIT_WORD:
        return f"{amount}{_EN_UNIT_WORD[unit]}"
    if currency in _EN_CURRENCY_SIGN:
        return f"{_EN_CURRENCY_SIGN[currency]}{amount}{' per share' if per_share else ''}"
    return f"{amount}{' ' + unit if unit else ''}"


# ---------------------------------------------------------------------------- comparison


def numbers_equal(
    a: Quantity | Decimal,
    b: Quantity | Decimal,
    places: int | None = None,
    rel_tol: Decimal | None = None,
) -> bool:
    """Whether two figures are the same number, compared in base units.

    By default at the coarser of the two printed precisions: ``11.75亿元`` equals
    ``1,175,301,034.32元`` (both round to 1,175,000,000), ``12%`` equals ``12.35%``; pass
    ``places`` (decimals in base units) or ``rel_tol`` to be stricter. Units must agree, except
    that an unknown unit ``""`` agrees with any and ``%`` with ``pp``.
    """
    a, b = _as_quantity(a), _as_quantity(b)
    if not _units_agree(a.unit, b.unit):
        return False
    if rel_tol is not None:
        return abs(a.value - b.value) <= Decimal(rel_tol) * max(abs(a.value), abs(b.value))
    if places is not None:
        return round_half_up(a.value, places) == round_half_up(b.value, places)
    step = max(a.precision, b.precision)
    return _round_to(a.value, step) == _round_to(b.value, step)


def as_percent_candidates(q: Quantity | Decimal) -> list[Quantity]:
    """The readings of a figure as a percentage: a unitless ``0.1235`` may be the fraction of
    12.35% or 0.1235%; ``12.35`` may be 12.35% or 1235%. Money has none; a % figure is itself."""
    q = _as_quantity(q)
    if q.unit in ("%", "pp"):
        return [q]
    if q.unit or _scale_exp(q.scale):
        return []
    as_points = replace(q, unit="%", quantum=q.precision)
    as_fraction = replace(
        q, value=_plain(q.value.scaleb(2)), unit="%", quantum=_plain(q.precision.scaleb(2))
    )
    return [as_points, as_fraction]


def _as_quantity(x: Quantity | Decimal) -> Quantity:
    return x if isinstance(x, Quantity) else Quantity(Decimal(x))


def _units_agree(a: str, b: str) -> bool:
    return a == b or not a or not b or {a, b} == {"%", "pp"}


def _round_to(value: Decimal, step: Decimal) -> Decimal:
    """``value`` rounded half-up to a multiple of ``step`` (1,175,301,034.32 to 10^6)."""
    return (value / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step
