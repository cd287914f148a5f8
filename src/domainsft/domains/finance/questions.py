"""Question-understanding cues of the finance domain pack (``questions.yaml``), loaded once.

The answer pipeline's parser (``assistant/understand.py``) hard-codes no word of the domain:
what asks for growth, a claim check, a precision, a currency or a scale, and what reads like a
company name, all come from this file, so another domain pack ships its own.

Phrases are compiled into one regex per list, longest first, matched on NFKC-folded,
lower-cased text: an English phrase needs a non-alphanumeric character (or the text's edge) on
both sides, a Chinese one matches anywhere.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any

import yaml

from domainsft.domains.finance import PACK_DIR
from domainsft.utils.jsonl import InputError

QUESTIONS_FILE = PACK_DIR / "questions.yaml"
LANGS = ("zh", "en")
_REQUIRED = ("operations", "years", "number_words", "decimals", "units", "companies")


@cache
def questions() -> dict[str, Any]:
    """The whole cue tree; every regex list is compiled here so a bad one fails on load."""
    raw = _raw()
    for key in ("years.span", "decimals", "units"):
        for lang in LANGS:
            patterns(key, lang)
    return raw


@cache
def _raw() -> dict[str, Any]:
    try:
        raw = yaml.safe_load(QUESTIONS_FILE.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"{QUESTIONS_FILE}: cannot read the question cues ({exc})") from None
    missing = [k for k in _REQUIRED if not isinstance(raw, dict) or k not in raw]
    if missing:
        raise InputError(f"{QUESTIONS_FILE}: missing section(s) {missing}; see its header")
    return raw


def section(key: str) -> Any:
    """A dotted key of the tree (``"operations.claim"``), or an ``InputError`` naming it."""
    node: Any = _raw()
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise InputError(f"{QUESTIONS_FILE}: no entry {key!r}; add it (see the file's header)")
        node = node[part]
    return node


def words(key: str, lang: str) -> tuple[str, ...]:
    """The phrase list ``key.lang`` (empty when the language has none)."""
    value = section(key).get(lang) or []
    if not isinstance(value, list) or not all(isinstance(w, str) and w for w in value):
        raise InputError(f"{QUESTIONS_FILE}: {key}.{lang} must be a list of non-empty strings")
    return tuple(value)


@cache
def phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    """One regex for ``phrases`` (folded), longest first; None for an empty list."""
    folded = sorted({fold(p) for p in phrases if p.strip()}, key=lambda p: (-len(p), p))
    if not folded:
        return None
    return re.compile("|".join(_bounded(p) for p in folded))


@cache
def patterns(key: str, lang: str) -> tuple[re.Pattern[str], ...]:
    """The compiled regexes of ``key.lang`` (a ``regex: true`` section)."""
    out = []
    for i, pattern in enumerate(words(key, lang)):
        try:
            out.append(re.compile(pattern, re.IGNORECASE))
        except re.error as exc:
            raise InputError(
                f"{QUESTIONS_FILE}: {key}.{lang}[{i}]: bad regex {pattern!r} ({exc}); fix it"
            ) from None
    return tuple(out)


def fold(text: str) -> str:
    """NFKC and lower case, one character at a time where that keeps the length, so that an
    offset into the folded text is an offset into ``text``."""
    return "".join(_fold_char(c) for c in text)


def _fold_char(c: str) -> str:
    n = unicodedata.normalize("NFKC", c).lower()
    return n if len(n) == 1 else c


def _bounded(phrase: str) -> str:
    body = r"\s+".join(re.escape(w) for w in phrase.split())
    left = r"(?<![a-z0-9])" if phrase[0].isascii() and phrase[0].isalnum() else ""
    right = r"(?![a-z0-9])" if phrase[-1].isascii() and phrase[-1].isalnum() else ""
    return left + body + right
