"""The answer guard's rules of the finance pack (``compliance.yaml``, section ``guard``), checked
on load: an unknown key, action or severity, a bad regex or a rule without examples names the
rule and the fix."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from domainsft.domains.finance.compliance import RULES_FILE, compliance
from domainsft.utils.jsonl import InputError
from domainsft.utils.yamlfile import read_yaml

ACTIONS = ("block", "rewrite", "append", "flag")
SEVERITIES = ("critical", "high", "medium", "low")
_KEYS = {"id", "severity", "action", "description", "forbidden", "zh", "en", "negatable",
         "rewrite", "redact", "disclaimer", "examples"}  # fmt: skip


@dataclass(frozen=True)
class GuardRule:
    id: str
    severity: str
    action: str
    description: str
    patterns: dict[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)
    negatable: bool = False
    rewrite: dict[str, str] = field(default_factory=dict)
    redact: bool = False
    disclaimer: bool = False
    positive: tuple[str, ...] = ()
    negative: tuple[str, ...] = ()


@dataclass(frozen=True)
class GuardRules:
    rules: tuple[GuardRule, ...]
    refusal: dict[str, str]


@cache
def guard_rules(path: str | Path | None = None) -> GuardRules:
    path = Path(path) if path is not None else RULES_FILE
    raw = read_yaml(path, "compliance rules")
    section = raw.get("guard") if isinstance(raw, dict) else None
    if not isinstance(section, dict) or not isinstance(section.get("rules"), list):
        raise InputError(f"{path}: needs a `guard:` section with `rules:` and `refusal:`")
    refusal = section.get("refusal") or {}
    if not all(isinstance(refusal.get(lang), str) for lang in ("zh", "en")):
        raise InputError(f"{path}: guard.refusal needs a zh and an en text")
    rules = tuple(_rule(spec, i, path) for i, spec in enumerate(section["rules"]))
    return GuardRules(rules, {k: " ".join(str(v).split()) for k, v in refusal.items()})


def _rule(spec: Any, i: int, path: Path) -> GuardRule:
    where = f"{path}: guard.rules[{i}]"
    if not isinstance(spec, dict) or not spec.get("id"):
        raise InputError(f"{where} needs an `id`")
    where = f"{path}: guard rule {spec['id']!r}"
    unknown = set(spec) - _KEYS
    if unknown:
        raise InputError(f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(_KEYS)}")
    if spec.get("action") not in ACTIONS or spec.get("severity") not in SEVERITIES:
        raise InputError(
            f"{where}: action must be one of {ACTIONS} and severity one of {SEVERITIES}"
        )
    examples = spec.get("examples") or {}
    if not examples.get("positive") or not examples.get("negative"):
        raise InputError(
            f"{where}: give examples.positive and examples.negative (they run as tests)"
        )
    if spec["action"] == "rewrite" and not (spec.get("rewrite") or spec.get("redact")):
        raise InputError(f"{where}: a rewrite rule needs `rewrite: {{zh, en}}` or `redact: true`")
    return GuardRule(
        id=str(spec["id"]), severity=spec["severity"], action=spec["action"],
        description=str(spec.get("description", "")), patterns=_patterns(spec, where),
        negatable=bool(spec.get("negatable", False)), rewrite=dict(spec.get("rewrite") or {}),
        redact=bool(spec.get("redact")), disclaimer=bool(spec.get("disclaimer")),
        positive=tuple(examples["positive"]), negative=tuple(examples["negative"]),
    )  # fmt: skip


def _patterns(spec: dict[str, Any], where: str) -> dict[str, tuple[re.Pattern[str], ...]]:
    out: dict[str, list[re.Pattern[str]]] = {}
    labels = spec.get("forbidden") or []
    known = {r.label for rules in compliance().forbidden.values() for r in rules}
    for label in labels:
        if label not in known:
            raise InputError(
                f"{where}: no `forbidden` rule labelled {label!r}; known: {sorted(known)}"
            )
        for lang, rules in compliance().forbidden.items():
            out.setdefault(lang, []).extend(r.pattern for r in rules if r.label == label)
    for lang in ("zh", "en"):
        for j, p in enumerate(spec.get(lang) or []):
            try:
                out.setdefault(lang, []).append(re.compile(p, re.IGNORECASE))
            except re.error as exc:
                raise InputError(f"{where}: {lang}[{j}]: bad regex {p!r} ({exc})") from None
    return {lang: tuple(ps) for lang, ps in out.items()}
