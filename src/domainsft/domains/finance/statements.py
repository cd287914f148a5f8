"""Loader for statements.yaml: how reports lay out their figures (headings, periods, labels).

Fact extraction (``domainsft.facts``) is domain-neutral; it reads every heading, period word and
label rule through :func:`layout`, compiled once per process.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml

from domainsft.domains.finance import PACK_DIR


@dataclass(frozen=True)
class Section:
    name: str
    statement: str
    scope: str
    tables: bool  # whether tables under this heading are read for figures
    carry: str  # "figures": continues onto a page only when it opens with figures; else "always"
    patterns: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class RelativePeriod:
    pattern: re.Pattern[str]
    offset: int  # years from the report's fiscal year
    kind: str  # year | instant


@dataclass(frozen=True)
class LabelPattern:
    pattern: re.Pattern[str]
    metric: str
    statement: str | None  # only in this statement's context


@dataclass(frozen=True)
class GroupRow:
    """A bare row label ("Diluted") that names ``metric`` under a group line ``group`` matches."""

    group: re.Pattern[str]
    row: re.Pattern[str]
    metric: str


@dataclass(frozen=True)
class Layout:
    sections: tuple[Section, ...]
    max_carry_pages: int
    heading_reject: re.Pattern[str]
    heading_max_chars: int
    scopes: dict[str, tuple[re.Pattern[str], ...]]
    toc_entry: re.Pattern[str]
    toc_min_headings: int
    relative_periods: tuple[RelativePeriod, ...]
    instant_suffix: re.Pattern[str]
    year_suffix: re.Pattern[str]
    fiscal_prefix: re.Pattern[str]
    period_skip: re.Pattern[str]
    period_filler: re.Pattern[str]
    instant_statements: frozenset[str]
    instant_metrics: frozenset[str]
    default_currency: dict[str, str]
    kind_units: dict[str, str]
    plain_ratios: dict[str, str]
    redacted: re.Pattern[str]
    scale_only: re.Pattern[str]
    zh_unit: re.Pattern[str]
    months: tuple[str, ...]
    strip_prefix: re.Pattern[str]
    strip_suffix: re.Pattern[str]
    strip_inner: re.Pattern[str]
    fallback_strip: tuple[re.Pattern[str], ...]
    preferred: re.Pattern[str]
    note_totals: re.Pattern[str]
    note_heading: re.Pattern[str]
    note_heading_strip: re.Pattern[str]
    combined: dict[str, tuple[str, ...]]
    label_patterns: tuple[LabelPattern, ...]
    group_rows: tuple[GroupRow, ...]
    identity: dict[str, Any]
    info_patterns: dict[str, tuple[re.Pattern[str], ...]]
    name_sublabels: frozenset[str]
    prose: dict[str, Any]


def _rx(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(pattern, flags)


def _sections(raw: dict[str, Any]) -> tuple[Section, ...]:
    return tuple(
        Section(
            name=name,
            statement=spec["statement"],
            scope=spec.get("scope", ""),
            tables=bool(spec.get("tables", True)),
            carry=spec.get("carry", "always"),
            patterns=tuple(_rx(p) for p in spec["patterns"]),
        )
        for name, spec in raw.items()
    )


@cache
def layout() -> Layout:
    """The report-layout vocabulary of the finance pack, compiled."""
    raw = yaml.safe_load((PACK_DIR / "statements.yaml").read_text(encoding="utf-8"))
    per, lab = raw["periods"], raw["labels"]
    return Layout(
        sections=_sections(raw["sections"]),
        max_carry_pages=int(raw["max_carry_pages"]),
        heading_reject=_rx(raw["heading_reject"]),
        heading_max_chars=int(raw["heading_max_chars"]),
        scopes={k: tuple(_rx(p) for p in v) for k, v in raw["scopes"].items()},
        toc_entry=_rx(raw["toc_entry"]),
        toc_min_headings=int(raw["toc_min_headings"]),
        relative_periods=tuple(
            RelativePeriod(_rx(r["pattern"]), int(r["offset"]), r["kind"]) for r in per["relative"]
        ),
        instant_suffix=_rx(per["instant_suffix"]),
        year_suffix=_rx(per["year_suffix"]),
        fiscal_prefix=_rx(per["fiscal_prefix"]),
        period_skip=_rx(per["skip"]),
        period_filler=_rx(per["filler"]),
        instant_statements=frozenset(per["instant_statements"]),
        instant_metrics=frozenset(per["instant_metrics"]),
        default_currency=dict(raw["units"]["default_currency"]),
        kind_units=dict(raw["units"]["by_kind"]),
        plain_ratios=dict(raw["units"]["plain_ratios"]),
        redacted=_rx(raw["units"]["redacted"]),
        scale_only=_rx(raw["units"]["scale_only"]),
        zh_unit=_rx(raw["units"]["zh_unit"]),
        months=tuple(raw["months"]),
        strip_prefix=_rx(lab["strip_prefix"]),
        strip_suffix=_rx(lab["strip_suffix"]),
        strip_inner=_rx(lab["strip_inner"]),
        fallback_strip=tuple(_rx(p) for p in lab["fallback_strip"]),
        preferred=_rx(lab["preferred"]),
        note_totals=_rx(lab["note_totals"]),
        note_heading=_rx(lab["note_heading"]),
        note_heading_strip=_rx(lab["note_heading_strip"]),
        combined={k: tuple(v) for k, v in lab["combined"].items()},
        label_patterns=tuple(
            LabelPattern(_rx(p["pattern"]), p["metric"], p.get("statement"))
            for p in lab["patterns"]
        ),
        group_rows=tuple(
            GroupRow(_rx(g["group"]), _rx(g["row"]), g["metric"]) for g in lab["group_rows"]
        ),
        identity=raw["identity"],
        info_patterns={k: tuple(_rx(p, re.M) for p in v) for k, v in raw["info_patterns"].items()},
        name_sublabels=frozenset(raw["name_sublabels"]),
        prose=raw["prose"],
    )
