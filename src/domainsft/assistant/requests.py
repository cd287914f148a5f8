"""What a question asks of the answer's form: decimals, currency, scale; and the figure a
claim check states, the quoted section and the page of a summary question.

The phrases are ``questions.yaml`` data (``decimals``, ``units``); currencies and scales are
read by the numbers kernel, so "亿元", "$ in millions" and "in millions of dollars" mean what
they mean everywhere else in the project.
"""

from __future__ import annotations

import re

from domainsft.domains.finance.questions import fold, patterns, phrase_pattern, section, words
from domainsft.numbers import Quantity, canonical_scale, parse_chinese_number, parse_quantity

Span = tuple[int, int]


def requested_places(text: str, lang: str) -> int | None:
    """Decimals asked for: 保留两位小数 -> 2, to one decimal place -> 1, 取整 -> 0."""
    folded = fold(text)
    for lg in _langs(lang):
        zero = phrase_pattern(words("decimals.zero", lg))
        if zero is not None and zero.search(folded):
            return 0
        for pattern in patterns("decimals", lg):
            m = pattern.search(folded)
            if m is None:
                continue
            groups = m.groupdict()
            if groups.get("step"):
                return len(groups["step"].split(".")[1])
            n = count_word(groups.get("n") or "")
            if n is not None:
                return n
    return None


def requested_unit(text: str, lang: str) -> tuple[str | None, str | None, list[Span]]:
    """(currency or unit, scale, spans) asked for: 以万元为单位 -> (CNY, 万元), in millions of
    dollars -> (USD, millions), in USD -> (USD, None)."""
    folded = fold(text)
    unit = scale = None
    spans: list[Span] = []
    for lg in _langs(lang):
        for pattern in patterns("units", lg):
            for m in pattern.finditer(folded):
                u, s = _read(m.groupdict())
                unit, scale = unit or u, scale or s
                if u or s:
                    spans.append(m.span())
    return unit, scale, spans


def claimed_figure(quantities: list[Quantity]) -> str | None:
    """The figure a claim states: the first number in the question that can be an answer (not
    a year, page, date or code); the caller masks company names and metric labels first."""
    for q in quantities:
        if q.is_candidate:
            return q.printed
    return None


def quoted(text: str) -> tuple[str | None, list[Span]]:
    """The first quoted phrase (“主要会计数据和财务指标”, "Financial highlights") and the spans of
    every quoted phrase, quotes included."""
    first, spans = None, []
    for pair in section("quotes"):
        left, right = re.escape(pair[0]), re.escape(pair[1])
        for m in re.finditer(rf"{left}([^{left}{right}]+){right}", text):
            spans.append(m.span())
            if first is None or m.start() < first[0]:
                first = (m.start(), m.group(1).strip())
    return (first[1] if first else None), spans


def page_number(quantities: list[Quantity]) -> int | None:
    """A page the question names (第4页, page 4)."""
    return next((int(q.value) for q in quantities if q.role == "page"), None)


def _read(groups: dict[str, str | None]) -> tuple[str | None, str | None]:
    unit = scale = None
    if groups.get("what"):
        q = parse_quantity("1" + "".join(groups["what"].split()))
        if q is not None:
            unit, scale = q.unit or None, q.scale if q.scale != "1" else None
    for key in ("currency", "currency2"):
        if groups.get(key) and unit is None:
            unit = _currency(groups[key])  # type: ignore[arg-type]
    if groups.get("scale"):
        scale = canonical_scale(groups["scale"])  # type: ignore[arg-type]
    return unit, scale


def _currency(word: str) -> str | None:
    for probe in (f"{word} 1", f"1 {word}", f"1{word}"):
        q = parse_quantity(probe)
        if q is not None and q.unit:
            return q.unit
    return None


def count_word(word: str) -> int | None:
    """A count written in digits, Chinese numerals (三, 两) or an English number word."""
    if word.isdigit():
        return int(word)
    table = section("number_words").get("en") or {}
    if word.lower() in table:
        return int(table[word.lower()])
    value = parse_chinese_number(word) if word else None
    return int(value) if value is not None else None


def _langs(lang: str) -> tuple[str, ...]:
    return (lang, "en" if lang == "zh" else "zh")
