"""Company names in a question: the corpus's companies, and names of companies it lacks.

A company is named by its full name, its short name (简称), its stock code or ticker, or a
short form of its full name: without the legal form (Inc., Co., Ltd., 股份有限公司), then
without descriptors at the end (Group, Systems, .com, 集团, 科技) while enough is left
(``questions.yaml: companies``). Names match case-insensitively on whole words, punctuation
ignored (``Amazon.com, Inc.`` = ``AMAZON.COM, INC.``), longest first; a short form two
companies share (Marlow Bay Analytics for ... Group plc and ... Holdings, Inc.) names neither
and is reported as ambiguous. Letter tickers match only as printed (``MATX``): in lower case
they are everyday words.

A name the corpus lacks is recognised only where it looks like one: words before a company
noun (远景星河科技股份有限公司, XX公司, Bluefin Quarry Corporation) or a capitalised name with a
possessive (Walmart's). Question words, pronouns (该公司) and generic nouns (上市公司, the
Company) are not names.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from domainsft.assistant.directory import Company
from domainsft.domains.finance.questions import LANGS, fold, section, words

Span = tuple[int, int]
_NAME_TOKEN = r"[A-Z0-9][A-Za-z0-9&.'’-]*"


@dataclass(frozen=True)
class Mention:
    """Where a question names a company (``companies`` holds more than one when ambiguous)."""

    start: int
    end: int
    companies: tuple[Company, ...]


class CompanyMatcher:
    """The names of a directory's companies, compiled once."""

    def __init__(self, companies: Iterable[Company]):
        owners: dict[str, set[int]] = defaultdict(set)
        self._companies = tuple(companies)
        for i, company in enumerate(self._companies):
            for alias in aliases(company):
                owners[alias].add(i)
        self._owners = {k: tuple(sorted(v)) for k, v in owners.items()}
        keys = sorted(self._owners, key=lambda k: (-len(k), k))
        self._names = re.compile("|".join(_alias_pattern(k) for k in keys)) if keys else None
        tickers = {c.code: i for i, c in enumerate(self._companies) if _is_ticker(c.code)}
        self._tickers = {c: (i,) for c, i in tickers.items()}
        alts = "|".join(sorted(map(re.escape, tickers), key=len, reverse=True))
        self._ticker = re.compile(rf"(?<![A-Za-z0-9])(?:{alts})(?![A-Za-z0-9])") if alts else None

    def mentions(self, text: str) -> list[Mention]:
        """Company names in ``text``, left to right, longest first, without overlap."""
        found: list[tuple[int, int, tuple[int, ...]]] = []
        if self._names is not None:
            for m in self._names.finditer(name_key_text(text)):
                found.append((m.start(), m.end(), self._owners[" ".join(m.group().split())]))
        if self._ticker is not None:
            for m in self._ticker.finditer(text):
                found.append((m.start(), m.end(), self._tickers[m.group()]))
        out: list[Mention] = []
        for start, end, ids in sorted(found, key=lambda h: (h[0], -h[1])):
            if not out or start >= out[-1].end:
                out.append(Mention(start, end, tuple(self._companies[i] for i in ids)))
        return out


def aliases(company: Company) -> set[str]:
    """The folded forms that name ``company`` (see the module docstring)."""
    code = company.code.split(".")[0]  # 000001.SZ is named 000001 too
    out = {name_key(company.short), name_key(code) if code.isdigit() else ""}
    full = name_key(company.name)
    out.add(full)
    legal = [name_key(w) for lg in LANGS for w in words("companies.legal_forms", lg)]
    descriptors = [name_key(w) for lg in LANGS for w in words("companies.descriptors", lg)]
    stripped = _strip(full, legal, repeat=True)
    while stripped and _long_enough(stripped):
        out.add(stripped)
        shorter = _strip(stripped, descriptors, repeat=False)
        if shorter == stripped:
            break
        stripped = shorter
    return {a for a in out if a}


def unknown_names(text: str) -> list[tuple[Span, str]]:
    """Company-like names in ``text`` (already masked of known companies, terms and years)."""
    found = _zh_unknown(text) + _en_unknown(text)
    return sorted(found)


def name_key(name: str) -> str:
    """A name folded for matching: lower case, anything but letters, digits and ``&`` a space."""
    return " ".join(name_key_text(name).split())


def name_key_text(text: str) -> str:
    """``name_key`` without collapsing spaces, so offsets stay those of ``text``."""
    return "".join(c if c.isalnum() or c == "&" else " " for c in fold(text))


def _alias_pattern(key: str) -> str:
    body = r"\s+".join(re.escape(w) for w in key.split())
    left = r"(?<![a-z0-9])" if key[0].isascii() else ""
    right = r"(?![a-z0-9])" if key[-1].isascii() else ""
    return left + body + right


def _is_ticker(code: str) -> bool:
    return len(code) >= 2 and code.isascii() and code.isalpha() and code.isupper()


def _strip(key: str, suffixes: list[str], repeat: bool) -> str:
    changed = True
    while changed:
        changed = False
        for suffix in sorted(suffixes, key=len, reverse=True):
            glue = " " if suffix.isascii() else ""
            if key.endswith(glue + suffix) and len(key) > len(glue + suffix):
                key, changed = key[: -len(glue + suffix)].strip(), repeat
                break
    return key


def _long_enough(key: str) -> bool:
    minimum = section("companies.min_alias_chars")
    lang = "en" if key.isascii() else "zh"
    return len(key.replace(" ", "")) >= int(minimum[lang])


def _zh_unknown(text: str) -> list[tuple[Span, str]]:
    nouns = sorted(words("companies.unknown_nouns", "zh"), key=len, reverse=True)
    pattern = re.compile(r"[\u4e00-\u9fffA-Za-z0-9&]+?(?:" + "|".join(nouns) + ")")
    out = []
    for run in re.finditer(r"[\u4e00-\u9fffA-Za-z0-9&]+", text):
        for part in _split_keep_offsets(run.group(), "的", run.start()):
            for m in pattern.finditer(part[1]):
                name, start = _without_leads(m.group(), "zh")
                begin = part[0] + m.start() + start
                if _plausible(name, "zh"):
                    out.append(((begin, part[0] + m.end()), name))
    return out


def _en_unknown(text: str) -> list[tuple[Span, str]]:
    nouns = "|".join(
        re.escape(n) for n in sorted(words("companies.unknown_nouns", "en"), key=len, reverse=True)
    )
    joiners = "|".join(re.escape(j) for j in words("companies.name_joiners", "en"))
    name = rf"{_NAME_TOKEN}(?:\s+(?:{_NAME_TOKEN}|{joiners}))*?"
    suffixed = re.compile(rf"({name}),?\s+(?:{nouns})(?:,?\s+(?:{nouns}))*(?![A-Za-z])")
    possessive = re.compile(rf"({name})['’]s(?![A-Za-z])")
    out = []
    for pattern in (suffixed, possessive):
        for m in pattern.finditer(text):
            cut, start = _without_leads(m.group(1), "en")
            if _plausible(cut, "en"):
                end = m.end() if pattern is suffixed else m.end(1)
                out.append(((m.start(1) + start, end), text[m.start(1) + start : end]))
    return out


def _split_keep_offsets(text: str, sep: str, base: int) -> list[tuple[int, str]]:
    out, pos = [], 0
    for piece in text.split(sep):
        out.append((base + pos, piece))
        pos += len(piece) + len(sep)
    return out


def _without_leads(name: str, lang: str) -> tuple[str, int]:
    """``name`` without the question words it opens with, and how many characters went."""
    leads = sorted(words("companies.lead_words", lang), key=len, reverse=True)
    cut = 0
    while True:
        rest = name[cut:].lstrip()
        cut = len(name) - len(rest)
        lead = next((w for w in leads if _opens(rest, w, lang)), None)
        if lead is None:
            return rest, cut
        cut += len(lead)


def _opens(text: str, word: str, lang: str) -> bool:
    if lang == "zh":
        return text.startswith(word) and len(text) > len(word)
    return text.split(" ", 1)[0] == word if text else False


def _plausible(name: str, lang: str) -> bool:
    if not name or name in words("companies.not_names", lang):
        return False
    if any(name.startswith(p) for p in words("companies.not_name_prefixes", lang)):
        return False
    if lang == "zh":
        nouns = words("companies.unknown_nouns", "zh")
        stem = next((name[: -len(n)] for n in sorted(nouns, key=len, reverse=True)
                     if name.endswith(n)), name)  # fmt: skip
        return len(stem) >= 2
    return any(c.isalpha() for c in name) and len(name) >= 2
