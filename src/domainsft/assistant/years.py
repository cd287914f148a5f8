"""The fiscal years a question asks about.

Printed years come from the numbers kernel (``find_quantities``, role ``year``: 2019年,
2019年度, FY2019, fiscal 2019, a bare 2019, 2021-2023). Two years joined by a range connector
(2021年至2023年, FY2021 to FY2023) are the whole range; other years stay as listed (2019 vs
2018). A year right before a report word (2019年年报, the FY2019 annual report) is the report
asked about: it is also the fiscal year unless another year is named.

Relative years (``questions.yaml: years``): "近三年" / "past three years" counts back from the
latest report year of the company asked about (the corpus's latest when none is named);
"去年" / "prior year" moves the one year the question names, and means nothing without one
(the pipeline then takes the latest report, which is what "last year" means there).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from domainsft.assistant.requests import count_word
from domainsft.domains.finance.questions import fold, patterns, phrase_pattern, section, words
from domainsft.numbers import Quantity

Span = tuple[int, int]
_FOUR_DIGITS = re.compile(r"(?:19|20)\d{2}|(?<=[-/])\d{2}(?!\d)")


@dataclass(frozen=True)
class Years:
    years: list[int]  # ascending, unique
    report_year: int | None  # the year of the report the question names
    spans: list[Span]  # where they were read (masked before looking for company names)


def find_years(
    text: str, quantities: list[Quantity], lang: str, latest: int | None, skip: list[Span]
) -> Years:
    """Years of ``text``; ``quantities`` are its ``find_quantities`` result, ``latest`` the
    latest report year relative spans count back from, ``skip`` the spans of cue phrases
    (较上年 is a growth cue, not a year)."""
    tokens = [q for q in quantities if q.role == "year" and q.span]
    groups = _ranges(text, tokens)
    report_year, named, spans = None, [], [t.span for t in tokens]  # type: ignore[misc]
    for group, first, last in groups:
        if len(group) == 1 and _is_report_year(text, first, last, lang):
            report_year = group[0]
        else:
            named += group
    offset, offset_spans = _offset(text, lang, skip)
    if offset is not None and not named and report_year is not None:
        named = [report_year + offset]  # 根据2019年年报，上年的营业收入 -> 2018
    elif offset is not None and len(set(named)) == 1:
        named.append(named[0] + offset)  # 2019年与上年 -> 2018, 2019
    elif not named and report_year is not None:
        named = [report_year]
    span_years, span_spans = _span_years(text, latest, lang)
    named += span_years
    return Years(sorted(set(named)), report_year, spans + span_spans + offset_spans)


def _endpoints(q: Quantity) -> list[int]:
    """2021-2023 -> [2021, 2023]; 2021-23 -> [2021, 2023]; FY18 -> [2018]."""
    found = [m.group() for m in _FOUR_DIGITS.finditer(q.printed)]
    years = [int(y) if len(y) == 4 else int(found[0][:2] + y) for y in found] if found else []
    return years or [int(q.value)]


def _ranges(text: str, tokens: list[Quantity]) -> list[tuple[list[int], Span, Span]]:
    """Year groups: each token's years, a range connector joining a token to the one before."""
    connectors = {fold(c) for c in section("years.range_connectors")}
    out: list[tuple[list[int], Span, Span]] = []
    for t in tokens:
        ends = _endpoints(t)
        group = list(range(min(ends), max(ends) + 1)) if len(ends) > 1 else ends
        if out:
            between = fold(text[out[-1][2][1] : t.span[0]]).strip()  # type: ignore[index]
            if between in connectors and out[-1][0]:
                lo, hi = min(out[-1][0][0], group[0]), max(out[-1][0][-1], group[-1])
                out[-1] = (list(range(lo, hi + 1)), out[-1][1], t.span)  # type: ignore[arg-type]
                continue
        out.append((group, t.span, t.span))  # type: ignore[arg-type]
    return out


def _is_report_year(text: str, first: Span, last: Span, lang: str) -> bool:
    after = fold(text[last[1] : last[1] + 20]).lstrip()
    before = fold(text[max(first[0] - 30, 0) : first[0]]).rstrip()
    for lg in ("zh", "en"):
        if any(_starts(after, w) for w in words("years.report_after", lg)):
            return True
        if any(before.endswith(fold(w)) for w in words("years.report_before", lg)):
            return True
    return False


def _starts(text: str, word: str) -> bool:
    w = fold(word)
    return text.startswith(w) and not (w[-1].isalnum() and text[len(w) : len(w) + 1].isalnum())


def _span_years(text: str, latest: int | None, lang: str) -> tuple[list[int], list[Span]]:
    folded = fold(text)
    for lg in (lang, *({"zh", "en"} - {lang})):
        for pattern in patterns("years.span", lg):
            m = pattern.search(folded)
            n = count_word(m.group("n")) if m else None
            if m and n and latest is not None:
                return list(range(latest - n + 1, latest + 1)), [m.span()]
    return [], []


def _offset(text: str, lang: str, skip: list[Span]) -> tuple[int | None, list[Span]]:
    folded = fold(text)
    for lg in (lang, *({"zh", "en"} - {lang})):
        table = {fold(k): int(v) for k, v in (section("years.offsets").get(lg) or {}).items()}
        pattern = phrase_pattern(tuple(table))
        for m in pattern.finditer(folded) if pattern else ():
            if not any(a <= m.start() < b for a, b in skip):
                return table[" ".join(m.group().split())], [m.span()]
    return None, []
