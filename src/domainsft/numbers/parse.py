"""Tokens to ``Quantity``, and the parsing of one printed figure (a table cell)."""

from __future__ import annotations

import re
from decimal import Decimal

from domainsft.numbers.chars import _normalise
from domainsft.numbers.chinese import _split_cn_scale, parse_chinese_number
from domainsft.numbers.grammar import _CELL_TOKEN, _CN_TOKEN, _CUR_SYMBOLS, _UNIT_KIND
from domainsft.numbers.quantity import Quantity
from domainsft.numbers.scales import (
    _EN_CURRENCY_SIGN,
    _currency,
    _exponent,
    _plain,
    _printed_scale,
    _scale_exp,
)

# ---------------------------------------------------------------------------- tokens → Quantity


def _unit_and_scale(
    g: dict[str, str | None], default_unit: str | None, default_scale: str | None
) -> tuple[str, str]:
    currency = _currency(g.get("cur"), g.get("zcur"), g.get("ecur"))
    word = _unit_word(g)
    kind = _UNIT_KIND.get(word) or ("/share" if word.startswith("per ") else None)
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
    # "(-48.8)" in a worked computation is a bracketed negative, not a double negation
    return (signs.count("-") % 2 == 1) or paren


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
    if any(g[k] for k in ("zscale", "zcur", "escale", "short", "ecur", "pscale")):
        return None
    if _unit_word(g) not in ("", "%") or (g["cur"] and g["cur"].lower() not in _CUR_SYMBOLS):
        return None
    number = _digits(g["num"])
    return -number if _negative(g, cell=True) else number
