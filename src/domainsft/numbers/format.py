"""Rounding, formatting and comparison of figures, ROUND_HALF_UP in Decimal."""

from __future__ import annotations

from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

from domainsft.numbers.quantity import Quantity
from domainsft.numbers.scales import (
    _EN_CURRENCY_SIGN,
    _EN_WORD,
    _ZH_CURRENCY_WORD,
    _ZH_MULT,
    _plain,
    _scale_exp,
    from_base,
    wide_context,
)

# ---------------------------------------------------------------------------- rounding, formatting


def round_half_up(value: Decimal | int | str, places: int) -> Decimal:
    """Round as reports do: ``round_half_up(Decimal("2.675"), 2) == Decimal("2.68")`` (float
    arithmetic gives 2.67, because 2.675 is stored as 2.67499999...)."""
    value = Decimal(value)
    with wide_context(value, places):
        return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


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
    with wide_context(value / step if step else value):
        return (value / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step
