"""The compliance guard: the domain pack's rules applied to an answer before anyone reads it.

In order: personal data is redacted (the ingest redaction kernel, ``domainsft.redact``); a
``block`` rule that fires replaces the whole answer with the pack's refusal in the question's
language; ``rewrite`` rules replace what they match (必将 → 或将, "will certainly" → "may");
``flag`` rules only report; the risk disclaimer is appended when the question asks for an
assessment or advice and the answer carries none. A match right after a negation ("不保证收益",
"no guaranteed returns") does not count for a ``negatable`` rule. Every action is reported, so
the server can count them by rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from domainsft.config import RedactConfig
from domainsft.domains.finance.compliance import compliance, fold
from domainsft.domains.finance.guard_rules import GuardRule, GuardRules, guard_rules
from domainsft.domains.finance.templates import phrase
from domainsft.redact import Redactor

_NEGATION_WINDOW = {"zh": 4, "en": 40}


@dataclass(frozen=True)
class GuardAction:
    rule: str
    action: str
    severity: str
    matched: str


@dataclass
class GuardResult:
    text: str
    actions: list[GuardAction] = field(default_factory=list)
    blocked: bool = False


def guard(answer: str, question: str, lang: str, rules: GuardRules | None = None) -> GuardResult:
    rules = rules or guard_rules()
    lang = lang if lang in ("zh", "en") else "en"
    out = GuardResult(answer)
    for rule in (r for r in rules.rules if r.redact):
        _redact(out, rule)
    for rule in (r for r in rules.rules if r.action == "block" and not r.redact):
        hits = matches(rule, out.text)
        if hits:
            out.actions.append(GuardAction(rule.id, "block", rule.severity, hits[0].group(0)))
            out.text, out.blocked = rules.refusal[lang], True
            return out
    for rule in (r for r in rules.rules if r.action in ("rewrite", "flag") and not r.redact):
        for m, said_in in reversed(matches(rule, out.text, with_lang=True)):
            out.actions.append(GuardAction(rule.id, rule.action, rule.severity, m.group(0)))
            if rule.action == "rewrite":  # in the wording's own language: "will certainly" → "may"
                new = rule.rewrite.get(said_in, "")
                out.text = out.text[: m.start()] + new + out.text[m.end() :]
    for rule in (r for r in rules.rules if r.disclaimer):
        if needs_disclaimer(question, out.text, lang):
            out.actions.append(GuardAction(rule.id, "append", rule.severity, ""))
            out.text = out.text.rstrip() + "\n" + " ".join(phrase("disclaimer", lang).split())
    return out


def needs_disclaimer(question: str, answer: str, lang: str) -> bool:
    """The question asks for an assessment or advice and the answer carries no disclaimer."""
    rules = compliance()
    return rules.needs_disclaimer(question, lang=lang) and not rules.has_disclaimer(answer)


def matches(rule: GuardRule, text: str, with_lang: bool = False) -> list:
    """The rule's matches in ``text``, left to right, negated ones dropped (with the language
    of the pattern that matched, ``with_lang``)."""
    found: list[tuple[re.Match[str], str]] = []
    for lang, patterns in rule.patterns.items():
        negation = compliance().negation.get(lang)
        window = _NEGATION_WINDOW.get(lang, 20)
        for p in patterns:
            for m in p.finditer(text):
                # fold, keeping the space before the match ("no guaranteed" must read "no ")
                before = fold(text[max(m.start() - window, 0) : m.start()] + "|")[:-1]
                if rule.negatable and negation is not None and negation.search(before):
                    continue
                found.append((m, lang))
    found.sort(key=lambda hit: hit[0].start())
    kept: list[tuple[re.Match[str], str]] = []
    for hit in found:  # overlapping patterns: the first match wins
        if not kept or hit[0].start() >= kept[-1][0].end():
            kept.append(hit)
    return kept if with_lang else [m for m, _ in kept]


def _redact(out: GuardResult, rule: GuardRule) -> None:
    text, counts = Redactor(RedactConfig()).redact(out.text)
    for kind, n in counts.items():
        out.actions.extend(GuardAction(rule.id, "rewrite", rule.severity, kind) for _ in range(n))
    out.text = text
