"""The formula library: ``formulas.yaml`` loaded and checked, families and templates."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import yaml

from domainsft.domains.finance import PACK_DIR
from domainsft.domains.finance.formulas.expr import names_in

KINDS = ("percent", "ratio", "times", "days", "money")


@dataclass(frozen=True)
class Formula:
    id: str
    zh: tuple[str, ...]  # canonical name first, then synonyms
    en: tuple[str, ...]
    expr: str
    kind: str  # percent | ratio | times | days | money
    places: int = 2
    inputs: tuple[str, ...] = ()  # current-period metric ids
    prior: tuple[str, ...] = ()  # metric ids also needed one period earlier
    family: str | None = None  # roe, roa: several variants of one metric
    derived: bool = True
    note: str = ""

    def name(self, lang: str) -> str:
        return (self.zh if lang == "zh" else self.en)[0]


# ---------------------------------------------------------------------------- loading


@cache
def _raw() -> dict:
    return yaml.safe_load((PACK_DIR / "formulas.yaml").read_text(encoding="utf-8"))


@cache
def formulas() -> dict[str, Formula]:
    """Every derived metric of the pack, keyed by id; each expression checked on load."""
    out = {}
    for fid, spec in _raw()["formulas"].items():
        inputs = spec.get("inputs", {})
        formula = Formula(
            id=fid,
            zh=tuple(spec["zh"]),
            en=tuple(spec["en"]),
            expr=spec["expr"],
            kind=spec["kind"],
            places=int(spec.get("places", 2)),
            inputs=tuple(inputs.get("current", [])),
            prior=tuple(inputs.get("prior", [])),
            family=spec.get("family"),
            derived=bool(spec.get("derived", True)),
            note=" ".join(spec.get("note", "").split()),
        )
        _check(formula)
        out[fid] = formula
    return out


@cache
def templates() -> dict[str, dict]:
    """Formula templates (growth, CAGR) that apply to any metric id."""
    return _raw()["templates"]


@cache
def extra_inputs() -> dict[str, dict]:
    """Inputs the formulas need that the taxonomy does not have yet."""
    return _raw()["extra_inputs"]


@cache
def families() -> dict[str, dict]:
    return _raw()["families"]


def _check(formula: Formula) -> None:
    if formula.kind not in KINDS:
        raise ValueError(f"formula {formula.id}: kind {formula.kind!r} is not one of {KINDS}")
    current, prior = names_in(formula.expr)
    if sorted(current) != sorted(formula.inputs) or sorted(prior) != sorted(formula.prior):
        raise ValueError(
            f"formula {formula.id}: declared inputs {formula.inputs} / prior {formula.prior} "
            f"differ from the expression's {sorted(current)} / {sorted(prior)}"
        )


@cache
def _label_index() -> dict[str, str]:
    index = {}
    for f in formulas().values():
        for label in f.zh + f.en:
            index[label.casefold()] = f.id
    for spec in families().values():
        for label in spec["zh"] + spec["en"]:
            index[label.casefold()] = spec["default"]
    return index


def find_formula(label: str) -> Formula | None:
    """The formula a name refers to (毛利率, Gross margin, ROE → its default variant)."""
    fid = _label_index().get(label.strip().casefold())
    return formulas()[fid] if fid else None
