"""Numbers in running text: ``find_quantities`` with locators (years, dates, pages …)."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

from domainsft.numbers.chars import _normalise
from domainsft.numbers.grammar import _CN_TOKEN, _TEXT_TOKEN
from domainsft.numbers.parse import _cn_quantity, _digits, _is_tight, _quantity
from domainsft.numbers.quantity import Quantity

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
    # Digits joined by commas that are not thousands groups (7,52; 1,234,5): a misprint, not
    # two numbers, so neither 7 nor 52 can be read out of it as a figure.
    ("malformed", re.compile(r"(?<![\d.,])(?!\d{1,3}(?:,\d{3})+(?![\d,]))\d+(?:,\d+)+(?!\d)")),
)  # fmt: skip
_BARE_YEAR = re.compile(r"(?:19|20)\d{2}")
_WORD_GROUPS = ("zscale", "zcur", "escale", "short", "ecur", "unit", "post", "pscale")


def find_quantities(text: str) -> list[Quantity]:
    """Every number in free text, left to right, with unit, scale, ``span`` and ``role``.

    ``text[q.span[0]:q.span[1]] == q.printed``. Role ``value`` marks the numbers that can answer
    a question; years (``2019年``, ``FY2018``, a bare 1900-2099), dates, page references
    (``第5页``, ``p. 7``), sections (``第三节`` has no digit; ``Note 12``, ``3.2.1``, ``(1)``),
    ordinals, fractions such as the page counter ``5 / 156``, codes (``600519.SH``, ``5G``) and
    misprinted digit groups (``7,52``: role ``malformed``) get their own role. A locator's
    ``value`` is the first number it prints (for a year, the four-digit year: ``FY18`` → 2018).
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
