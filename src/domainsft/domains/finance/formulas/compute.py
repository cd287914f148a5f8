"""``compute``, ``growth`` and ``cagr``: a formula applied, never a guess."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from domainsft.domains.finance.formulas.expr import (
    NotComputable,
    _number,
    names_in,
    parse_expression,
)
from domainsft.domains.finance.formulas.library import families, formulas, templates
from domainsft.domains.finance.formulas.render import _upper_first, metric_label
from domainsft.domains.finance.formulas.steps import (
    _as_shown,
    _average_steps,
    _Job,
    _missing_labels,
    _show_result,
)
from domainsft.numbers import round_half_up


@dataclass
class Computation:
    metric: str
    value: Decimal | None  # percent kinds in percent points (28.26 means 28.26%)
    kind: str
    places: int
    formula: str  # human readable, in the requested language
    inputs: dict[str, Decimal]  # metric id (or prior(id)) -> value used
    steps: list[str]
    missing: list[str]  # metric ids, prior ones as prior(id)
    derived: bool = True
    message: str = ""  # why value is None

    @property
    def text(self) -> str:
        return self.message if self.value is None else "\n".join(self.steps)


# ---------------------------------------------------------------------------- computing


def compute(
    metric_id: str,
    values: Mapping[str, Decimal | None],
    prior: Mapping[str, Decimal | None] | None = None,
    lang: str = "zh",
    places: int | None = None,
) -> Computation:
    """Compute a derived metric (or a family such as ``roe``: its default variant) from
    base-unit inputs. Percent kinds come back in percent points, ROUND_HALF_UP to ``places``."""
    if metric_id in families():
        metric_id = families()[metric_id]["default"]
    if metric_id not in formulas():
        raise KeyError(f"unknown formula {metric_id!r}; known: {', '.join(sorted(formulas()))}")
    f = formulas()[metric_id]
    job = _Job(f.id, f.name(lang), f.expr, f.kind, f.places if places is None else places,
               _lang(lang), values, prior or {}, derived=f.derived)  # fmt: skip
    return _run(job)


def growth(
    metric_id: str,
    current: Decimal | None,
    prior: Decimal | None,
    places: int = 2,
    lang: str = "zh",
) -> Computation:
    """Year-on-year growth of any metric: (current - prior) / |prior|, in percent points."""
    if not metric_id.isidentifier():
        raise ValueError(f"not a metric id: {metric_id!r}")
    t = templates()["growth"]
    name = t["label"][_lang(lang)].format(metric=metric_label(metric_id, lang))
    job = _Job(f"growth({metric_id})", _upper_first(name), t["expr"].format(metric=metric_id),
               t["kind"], places, lang, {metric_id: current}, {metric_id: prior})  # fmt: skip
    return _run(job)


def cagr(
    first: Decimal | None,
    last: Decimal | None,
    years: int,
    places: int = 2,
    lang: str = "zh",
    metric_id: str | None = None,
) -> Computation:
    """Compound annual growth over ``years`` periods: (last / first) ^ (1 / years) - 1."""
    t = templates()["cagr"]
    lang = _lang(lang)
    if metric_id:
        name = _upper_first(t["label"][lang].format(metric=metric_label(metric_id, lang)))
    else:
        name = t[lang][0]
    labels = {var: spec[lang] for var, spec in t["vars"].items()}
    values = {"first": first, "last": last, "years": Decimal(years)}
    metric = f"cagr({metric_id})" if metric_id else "cagr"
    return _run(_Job(metric, name, t["expr"], t["kind"], places, lang, values, {}, labels))


def _lang(lang: str) -> str:
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
    return lang


def _run(job: _Job) -> Computation:
    tree = parse_expression(job.expr)
    percent = job.kind == "percent"
    formula = f"{job.name} = {_as_shown(tree, job.name_leaf, percent)}"
    out = Computation(job.metric, None, job.kind, job.places, formula, {}, [], [], job.derived)
    current, prior = names_in(job.expr)
    out.missing = [n for n in current if job.values.get(n) is None]
    out.missing += [f"prior({n})" for n in prior if job.prior.get(n) is None]
    if out.missing:
        out.message = f"cannot compute {job.subject}: missing {_missing_labels(job, out.missing)}"
        return out
    out.inputs = {n: _number(job.values[n]) for n in current}
    out.inputs |= {f"prior({n})": _number(job.prior[n]) for n in prior}
    try:
        raw = job.evaluate(tree.body)
    except NotComputable as err:
        out.message = f"cannot compute {job.subject}: {err}"
        return out
    out.value = round_half_up(raw * 100 if percent else raw, job.places)
    result = _show_result(out.value, job.kind, job.places, job.lang)
    main = f"{formula} = {_as_shown(tree, job.number_leaf, percent)} = {result}"
    out.steps = [*_average_steps(job, tree), main]
    return out
