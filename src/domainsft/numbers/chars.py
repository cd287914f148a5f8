"""Characters as reports typeset them: full-width forms, minus signs, null markers."""

from __future__ import annotations

import re

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
