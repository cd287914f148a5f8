"""Gold records: ``{"id", "answer", "unit"?, "decimals"?, "pages"?}`` → ``Gold``.

A gold answer is a number (``1175301034.32``, ``"11.75亿元"``, ``"(134)"``, ``12.35`` with
``"unit": "%"``), a yes/no, "N/A", a name, or a list of these (every item must be answered).
``unit`` names the unit and/or scale the answer is printed in (``元``, ``万元``, ``%``,
``percent``, ``million``, ``USD``); it never rescales an answer that prints its own scale.
``decimals`` is the precision the question asks for, in decimals of the gold's printed scale
(``11.75`` with ``unit: 亿元`` and ``decimals: 2`` compares to the nearest 0.01亿 = 10^6 元);
without it the gold's own printed precision is used. ``"type": "text"`` keeps an answer that
looks like a number (a stock code such as ``688070``) a name, compared as text.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from domainsft.eval.pages import PageRef, parse_pools
from domainsft.eval.text import is_not_available, read_boolean
from domainsft.numbers import Quantity, parse_quantity, scale_factor, to_base
from domainsft.utils.jsonl import InputError

_PERCENT_WORDS = frozenset({"percent", "per cent", "percentage", "pct", "百分比"})


@dataclass(frozen=True)
class Gold:
    """One gold answer. ``kind``: number, boolean, na, text or list (``items``)."""

    id: str
    kind: str
    printed: str
    quantity: Quantity | None = None
    step: Decimal | None = None  # the comparison precision, in base units
    boolean: bool | None = None
    items: tuple[Gold, ...] = ()
    pools: tuple[tuple[PageRef, ...], ...] = field(default=())


def parse_gold(record: dict[str, Any], where: str) -> Gold:
    """A gold line → ``Gold``; ``where`` (``file:line``) prefixes every error."""
    if "answer" not in record:
        raise InputError(f'{where}: no "answer"; each gold line is {{"id", "answer", ...}}')
    unit = record.get("unit")
    if unit is not None and not isinstance(unit, str):
        raise InputError(f'{where}: "unit" must be a string such as "万元", "%" or "million"')
    decimals = record.get("decimals")
    if decimals is not None and (isinstance(decimals, bool) or not isinstance(decimals, int)):
        raise InputError(f'{where}: "decimals" must be an integer (digits after the point)')
    spec = _unit_spec(unit, where) if unit else None
    gid = str(record.get("id"))
    answer = record["answer"]
    if isinstance(answer, list) and len(answer) != 1:
        if not answer:
            raise InputError(f'{where}: "answer" is an empty list; give at least one answer')
        items = tuple(_one(gid, a, spec, decimals, where) for a in answer)
        gold = Gold(gid, "list", " | ".join(i.printed for i in items), items=items)
    elif record.get("type") == "text":
        gold = Gold(gid, "text", str(answer[0] if isinstance(answer, list) else answer))
    else:
        gold = _one(gid, answer[0] if isinstance(answer, list) else answer, spec, decimals, where)
    return replace(gold, pools=parse_pools(record.get("pages"), where))


def _unit_spec(unit: str, where: str) -> tuple[str, str]:
    """``万元`` → (CNY, 万元); ``million`` → ("", millions); ``percent`` → (%, 1)."""
    if unit.strip().lower() in _PERCENT_WORDS:
        return "%", "1"
    for probe in (f"1{unit}", f"1 {unit}", f"{unit}1", f"{unit} 1"):
        q = parse_quantity(probe)
        if q is not None:
            return q.unit, q.scale
    raise InputError(
        f'{where}: unknown "unit" {unit!r}; use a unit and/or scale such as 元, 万元, 亿元, %, '
        "percent, USD, thousand, million, billion"
    )


def _one(
    gid: str, answer: Any, spec: tuple[str, str] | None, decimals: int | None, where: str
) -> Gold:
    if isinstance(answer, bool):
        return Gold(gid, "boolean", str(answer), boolean=answer)
    if answer is None:
        return Gold(gid, "na", "N/A")
    if isinstance(answer, int | float):
        answer = str(answer)  # the shortest repr: 1175301034.32 keeps its printed digits
    if not isinstance(answer, str):
        raise InputError(f'{where}: "answer" must be a string, a number or a list of them')
    q = parse_quantity(answer)
    if q is not None:
        q = _apply_spec(q, spec)
        return Gold(gid, "number", answer, quantity=q, step=_step(q, decimals))
    flag = read_boolean(answer) if len(answer.split()) == 1 else None
    if flag is not None:
        return Gold(gid, "boolean", answer, boolean=flag)
    if is_not_available(answer):
        return Gold(gid, "na", answer)
    return Gold(gid, "text", answer)


def _apply_spec(q: Quantity, spec: tuple[str, str] | None) -> Quantity:
    """The gold line's ``unit`` fills what the answer does not print (never a second scale)."""
    if spec is None:
        return q
    unit, scale = spec
    if scale_factor(q.scale) == 1 and scale_factor(scale) != 1:
        factor = scale_factor(scale)
        q = replace(q, value=to_base(q.value, scale), scale=scale, quantum=q.precision * factor)
    return replace(q, unit=q.unit or unit)


def _step(q: Quantity, decimals: int | None) -> Decimal:
    if decimals is None:
        return q.precision
    return Decimal(1).scaleb(-decimals) * scale_factor(q.scale)
