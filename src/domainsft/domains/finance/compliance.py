"""Compliance rules of the finance domain pack (``compliance.yaml``): when an answer must carry
a risk disclaimer, what counts as one, and the promissory phrases an analyst never writes.

The rules are data so that the eval metrics (``disclaimer_ok``, ``no_forbidden_phrases``) and
the serving guard judge an answer the same way; another domain pack ships its own file.
Texts are NFKC-folded and lower-cased before matching, so full-width letters and ``ＮＯＴ``
count as their ASCII forms.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from domainsft.domains.finance import PACK_DIR
from domainsft.utils.jsonl import InputError

RULES_FILE = PACK_DIR / "compliance.yaml"
# How far before a forbidden phrase a negation word is looked for ("并非无风险", "there are
# no guaranteed returns"): a few characters in Chinese, a few words in English.
_NEGATION_WINDOW = {"zh": 4, "en": 40}


@dataclass(frozen=True)
class Rule:
    """One forbidden phrase pattern and the label it is reported under."""

    label: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Compliance:
    """The loaded rules, per language (``zh``, ``en``); read-only, shared by every caller."""

    disclaimer_markers: Mapping[str, tuple[str, ...]]
    requires_disclaimer: Mapping[str, tuple[re.Pattern[str], ...]]
    forbidden: Mapping[str, tuple[Rule, ...]]
    negation: Mapping[str, re.Pattern[str]]

    def needs_disclaimer(self, question: str, reference: str | None = None, lang: str = "") -> bool:
        """Whether an answer to ``question`` must carry a disclaimer: the reference answer has
        one, or the question asks for an assessment (cues of ``lang``; all languages when
        ``lang`` is not one the rules know)."""
        if reference and self.has_disclaimer(reference):
            return True
        text = fold(question)
        langs = (lang,) if lang in self.requires_disclaimer else tuple(self.requires_disclaimer)
        return any(p.search(text) for lg in langs for p in self.requires_disclaimer[lg])

    def has_disclaimer(self, text: str) -> bool:
        """Whether ``text`` carries a risk disclaimer, in any language."""
        folded = fold(text)
        return any(m in folded for markers in self.disclaimer_markers.values() for m in markers)

    def forbidden_phrases(self, text: str) -> list[str]:
        """The labels of the forbidden phrases in ``text`` (each once, in rule order); a phrase
        right after a negation word ("不保证收益", "no guaranteed returns") does not count."""
        folded = fold(text)
        found = {
            rule.label
            for lang, rules in self.forbidden.items()
            for rule in rules
            if self._said(rule.pattern, folded, lang)
        }
        order = dict.fromkeys(r.label for rules in self.forbidden.values() for r in rules)
        return [label for label in order if label in found]

    def _said(self, pattern: re.Pattern[str], text: str, lang: str) -> bool:
        negation, window = self.negation.get(lang), _NEGATION_WINDOW.get(lang, 20)
        for m in pattern.finditer(text):
            before = text[max(m.start() - window, 0) : m.start()]
            if negation is None or not negation.search(before):
                return True
        return False


def fold(text: str) -> str:
    """NFKC, lower case, runs of whitespace as one space: the form every rule matches."""
    return " ".join(unicodedata.normalize("NFKC", text or "").lower().split())


# --------------------------------------------------------------------------------- loading


@cache
def compliance(path: str | Path | None = None) -> Compliance:
    """The rules of ``compliance.yaml`` (or another domain pack's file), loaded once."""
    path = Path(path) if path is not None else RULES_FILE
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"{path}: cannot read the compliance rules ({exc})") from None
    if not isinstance(raw, dict):
        raise InputError(f"{path}: expected a mapping with disclaimer_markers, forbidden, ...")
    markers = _per_lang(raw, "disclaimer_markers", path)
    cues = _per_lang(raw, "requires_disclaimer", path)
    return Compliance(
        disclaimer_markers=_frozen({lg: tuple(fold(m) for m in ms) for lg, ms in markers.items()}),
        requires_disclaimer=_frozen(
            {
                lg: tuple(
                    _regex(p, f"requires_disclaimer.{lg}[{i}]", path) for i, p in enumerate(ps)
                )
                for lg, ps in cues.items()
            }
        ),
        forbidden=_frozen(_forbidden(raw.get("forbidden"), path)),
        negation=_frozen(
            {lg: _regex(p, f"negation.{lg}", path) for lg, p in (raw.get("negation") or {}).items()}
        ),
    )


def _frozen(mapping: dict[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(mapping)


def _per_lang(raw: dict[str, Any], key: str, path: Path) -> dict[str, list[str]]:
    value = raw.get(key)
    if not isinstance(value, dict) or not value:
        raise InputError(f"{path}: {key!r} must map each language (zh, en) to a list of strings")
    for lang, items in value.items():
        if not isinstance(items, list) or not all(isinstance(s, str) and s for s in items):
            raise InputError(f"{path}: {key}.{lang} must be a list of non-empty strings")
    return value


def _forbidden(value: Any, path: Path) -> dict[str, tuple[Rule, ...]]:
    if not isinstance(value, list):
        raise InputError(f"{path}: 'forbidden' must be a list of {{label, zh: [...], en: [...]}}")
    out: dict[str, list[Rule]] = {}
    for i, spec in enumerate(value):
        if not isinstance(spec, dict) or not isinstance(spec.get("label"), str):
            raise InputError(f"{path}: forbidden[{i}] needs a 'label' and per-language patterns")
        for lang, patterns in spec.items():
            if lang == "label":
                continue
            if not isinstance(patterns, list):
                raise InputError(f"{path}: forbidden[{i}].{lang} must be a list of regexes")
            where = f"forbidden[{i}] ({spec['label']}).{lang}"
            rules = [
                Rule(spec["label"], _regex(p, f"{where}[{j}]", path))
                for j, p in enumerate(patterns)
            ]
            out.setdefault(lang, []).extend(rules)
    return {lang: tuple(rules) for lang, rules in out.items()}


def _regex(pattern: Any, where: str, path: Path) -> re.Pattern[str]:
    if not isinstance(pattern, str) or not pattern:
        raise InputError(f"{path}: {where} must be a non-empty regex string")
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise InputError(
            f"{path}: {where}: bad regex {pattern!r} ({exc}); fix the pattern"
        ) from None


# ----------------------------------------------------------------- the default rules, as functions


def needs_disclaimer(question: str, reference: str | None = None, lang: str = "") -> bool:
    """``Compliance.needs_disclaimer`` with the finance pack's rules."""
    return compliance().needs_disclaimer(question, reference, lang)


def has_disclaimer(text: str) -> bool:
    """``Compliance.has_disclaimer`` with the finance pack's rules."""
    return compliance().has_disclaimer(text)


def forbidden_phrases(text: str) -> list[str]:
    """``Compliance.forbidden_phrases`` with the finance pack's rules."""
    return compliance().forbidden_phrases(text)
