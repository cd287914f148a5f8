"""Chinese numerals: ``三千二百万``, ``二十点五``, ``二〇一九``."""

from __future__ import annotations

from decimal import Decimal

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
