"""The finance domain pack: metric taxonomy with synonyms, redaction settings, (later) formulas,
question templates and compliance rules. Data lives in YAML files beside this module."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

PACK_DIR = Path(__file__).parent


@dataclass(frozen=True)
class Metric:
    id: str
    statement: str  # key_figures | income | balance | cash_flow | employees | info | derived
    kind: str  # money | ratio | per_share | count | text
    zh: tuple[str, ...]  # canonical label first, then synonyms
    en: tuple[str, ...]
    derived: bool = False
    distinct_from: tuple[str, ...] = field(default_factory=tuple)
    expense: str = ""  # "always" | "net" | "": a cost formulas take as positive (metrics.yaml)

    @property
    def labels(self) -> tuple[str, ...]:
        return self.zh + self.en


@cache
def metrics() -> dict[str, Metric]:
    """The metric taxonomy, keyed by id."""
    raw = yaml.safe_load((PACK_DIR / "metrics.yaml").read_text(encoding="utf-8"))
    out: dict[str, Metric] = {}
    for mid, spec in raw["metrics"].items():
        out[mid] = Metric(
            id=mid,
            statement=spec["statement"],
            kind=spec["kind"],
            zh=tuple(spec.get("zh", [])),
            en=tuple(spec.get("en", [])),
            derived=bool(spec.get("derived", False)),
            distinct_from=tuple(spec.get("distinct_from", [])),
            expense=_expense(mid, spec.get("expense", "")),
        )
    return out


def _expense(mid: str, value: str) -> str:
    if value not in ("", "always", "net"):
        raise ValueError(f"metrics.yaml {mid}: expense {value!r} is not 'always' or 'net'")
    return value
