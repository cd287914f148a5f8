"""Scales and currencies: printed units to base units, and the unit lines of tables."""

from __future__ import annotations

import re
from decimal import Decimal, getcontext, localcontext

from domainsft.numbers.chars import _normalise
from domainsft.numbers.grammar import _ZH_SCALE

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
    if _exponent(value) <= 0:
        return value
    with wide_context(value):
        return value.quantize(Decimal(1))


def wide_context(value: Decimal, places: int = 0) -> localcontext:
    """A Decimal context with room for every digit of ``value`` to ``places`` decimals.

    The default context holds 28 digits and ``quantize`` raises past them; a model's output
    can print a 40-digit number, which must read as a (wrong) number, not crash the scorer.
    """
    digits = max(value.adjusted(), 0) + max(places, 0) + 2 if value.is_finite() else 0
    return localcontext(prec=max(getcontext().prec, digits))


def to_base(value: Decimal, scale: str) -> Decimal:
    """A printed number in ``scale`` → base units (``to_base(11.75, "亿元") == 1175000000``)."""
    return _plain(Decimal(value).scaleb(_scale_exp(scale)))


def from_base(value: Decimal, scale: str) -> Decimal:
    """Base units → a number in ``scale`` (exact: every scale is a power of ten)."""
    return _plain(Decimal(value).scaleb(-_scale_exp(scale)))


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
    word = g.get("escale") or g.get("short") or g.get("pscale")
    return canonical_scale(word) if word else None


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
