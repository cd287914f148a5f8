"""The stages of a run, in order: for each, its config from the resolved recipe, the inputs its
stage record hashes, where that record lies, what it must leave, and the call that runs it.

The inputs come from the same ``record_inputs`` functions the stages write their records with,
so the runner's prediction of a record and the record a stage leaves cannot drift apart.
Stages that keep no record of their own (check-provenance, compare, report) get one written by
the runner, from the small call configs below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import Field

from domainsft.config import Recipe, StageConfig
from domainsft.run import calls
from domainsft.run.layout import Layout, is_adapter, tuned_model


@dataclass
class Ctx:
    """What every stage of one run sees."""

    recipe: Recipe  # resolved: every path inside the run folder
    layout: Layout
    reports: list[Path] | None = None  # --reports, else the recipe's run.reports
    note: Callable[[str], None] = field(default=lambda text: None)  # the display's note

    @property
    def sample(self) -> bool:
        """Whether the run generates synthetic reports (``run.sample``; default: no reports
        given)."""
        wanted = self.recipe.run.sample
        return not self.reports if wanted is None else wanted

    @property
    def sources(self) -> list[Path]:
        """What ingest reads: the reports given, then the sampled ones."""
        return [*(self.reports or []), *([self.layout.reports] if self.sample else [])]


@dataclass
class Job:
    """How this stage runs this time."""

    expected: dict[str, Any]  # the record the stage will leave
    previous: dict[str, Any] | None  # an interrupted attempt's record, else the last one
    resume: bool  # the interrupted attempt had exactly these config and inputs
    forced: bool  # --from named this stage or an earlier one


class ProvenanceCall(StageConfig):
    """check-provenance of ``out`` (the dataset folder) against the run's corpus."""

    out: Path = Field(description="The dataset folder checked; provenance.json goes there.")
    dataset: dict[str, Any] = Field(description="The dataset config that built it.")


class CompareCall(StageConfig):
    runs: list[Path] = Field(description="Eval result folders, the baseline first.")
    out: Path = Field(description="compare.json + report.html go here.")


class ReportCall(StageConfig):
    base: Path = Field(description="The base model's results.json.")
    tuned: Path = Field(description="The tuned model's results.json.")
    compare: Path = Field(description="compare.json of the two.")
    out: Path = Field(description="The run's results.json: the figures the run prints.")


@dataclass(frozen=True)
class Stage:
    name: str  # as --from takes it, and in summary.json and logs/<name>.log
    record: str  # the stage name inside its record
    config: Callable[[Ctx], Any]
    inputs: Callable[[Ctx, Any], dict[str, Any]]
    where: Callable[[Ctx, Any], tuple[Path, str]]  # the record's folder and file-name stem
    outputs: Callable[[Ctx, Any], list[Path]]
    call: Callable[[Ctx, Any, Job], str]
    own_record: bool = True  # False: the runner writes the record after the call


def _ingest_inputs(ctx: Ctx, cfg: Any) -> dict[str, Any]:
    from domainsft.ingest.pipeline import expand_inputs, record_inputs

    return record_inputs(expand_inputs(ctx.sources)[0])


def _facts_inputs(ctx: Ctx, cfg: Any) -> dict[str, Any]:
    from domainsft.facts.pipeline import record_inputs

    return record_inputs(ctx.layout.corpus)


def _dataset_inputs(ctx: Ctx, cfg: Any) -> dict[str, Any]:
    from domainsft.dataset.build import record_inputs

    return record_inputs(ctx.layout.corpus, ctx.layout.facts, cfg, ctx.recipe.assistant)


def _train_inputs(ctx: Ctx, cfg: Any) -> dict[str, Any]:
    from domainsft.train.outputs import record_inputs

    return record_inputs(cfg)


def _eval_inputs(ctx: Ctx, cfg: Any) -> dict[str, Any]:
    from domainsft.eval.evaluate import record_inputs

    return record_inputs(cfg, assistant=ctx.recipe.assistant)


def _splits(dataset: Path) -> list[Path]:
    return [dataset / f"{name}.jsonl" for name in ("train", "val", "test")]


def _provenance(ctx: Ctx) -> ProvenanceCall:
    dataset = ctx.recipe.dataset.model_dump(mode="json")
    return ProvenanceCall(out=ctx.layout.dataset, dataset=dataset)


def _provenance_inputs(ctx: Ctx, cfg: ProvenanceCall) -> dict[str, Any]:
    return {"examples": _splits(cfg.out), "pages": ctx.layout.corpus / "pages.jsonl",
            "facts": ctx.layout.facts}  # fmt: skip


def _eval_config(ctx: Ctx, which: str) -> Any:
    """``base``: ``train.model`` alone; ``tuned``: it with the adapter this run trained (or
    the trained model itself, for full fine-tuning or a continued adapter)."""
    r, layout = ctx.recipe, ctx.layout
    update: dict[str, Any] = {"out": layout.eval / which, "name": which, "model": r.train.model}
    if which == "tuned":
        trained = tuned_model(r, layout)
        if r.train.method == "full" or is_adapter(r.train.model):
            update |= {"model": str(trained), "adapter": None}
        else:
            update |= {"adapter": trained}
    return r.eval.model_copy(update=update)


def _eval_stage(which: str) -> Stage:
    return Stage(
        name=f"eval-{which}",
        record="eval",
        config=lambda ctx: _eval_config(ctx, which),
        inputs=_eval_inputs,
        where=lambda ctx, cfg: (cfg.out, "eval"),
        outputs=lambda ctx, cfg: calls.outputs_of_eval(cfg.out),
        call=calls.evaluate,
    )


def _compare(ctx: Ctx) -> CompareCall:
    runs = [ctx.layout.eval / "base", ctx.layout.eval / "tuned"]
    return CompareCall(runs=runs, out=ctx.layout.compare)


def _compare_inputs(ctx: Ctx, cfg: CompareCall) -> dict[str, Any]:
    return {"runs": [run / name for run in cfg.runs for name in ("results.json", "samples.jsonl")]}


def _report(ctx: Ctx) -> ReportCall:
    base, tuned = (ctx.layout.eval / name / "results.json" for name in ("base", "tuned"))
    compare = ctx.layout.compare / "compare.json"
    return ReportCall(base=base, tuned=tuned, compare=compare, out=ctx.layout.results)


STAGES: list[Stage] = [
    Stage(
        name="sample-reports",
        record="samples",
        config=lambda ctx: ctx.recipe.samples,
        inputs=lambda ctx, cfg: {},
        where=lambda ctx, cfg: (cfg.out, "samples"),
        outputs=lambda ctx, cfg: [cfg.out / "manifest.json", cfg.out / "truth.jsonl"],
        call=calls.sample_reports,
    ),
    Stage(
        name="ingest",
        record="ingest",
        config=lambda ctx: ctx.recipe.ingest,
        inputs=_ingest_inputs,
        where=lambda ctx, cfg: (cfg.out, "ingest"),
        outputs=lambda ctx, cfg: [cfg.out / "pages.jsonl"],
        call=calls.ingest,
    ),
    Stage(
        name="facts",
        record="facts",
        config=lambda ctx: ctx.recipe.facts,
        inputs=_facts_inputs,
        where=lambda ctx, cfg: (cfg.out.parent, cfg.out.stem),
        outputs=lambda ctx, cfg: [cfg.out],
        call=calls.facts,
    ),
    Stage(
        name="build-dataset",
        record="dataset",
        config=lambda ctx: ctx.recipe.dataset,
        inputs=_dataset_inputs,
        where=lambda ctx, cfg: (cfg.out, "dataset"),
        outputs=lambda ctx, cfg: _splits(cfg.out),
        call=calls.build_dataset,
    ),
    Stage(
        name="check-provenance",
        record="check-provenance",
        config=_provenance,
        inputs=_provenance_inputs,
        where=lambda ctx, cfg: (cfg.out, "provenance"),
        outputs=lambda ctx, cfg: [cfg.out / "provenance.json"],
        call=calls.check_provenance,
        own_record=False,
    ),
    Stage(
        name="train",
        record="train",
        config=lambda ctx: ctx.recipe.train,
        inputs=_train_inputs,
        where=lambda ctx, cfg: (cfg.out, "train"),
        outputs=lambda ctx, cfg: [cfg.out / "summary.json", tuned_model(ctx.recipe, ctx.layout)],
        call=calls.train,
    ),
    _eval_stage("base"),
    _eval_stage("tuned"),
    Stage(
        name="compare",
        record="compare",
        config=_compare,
        inputs=_compare_inputs,
        where=lambda ctx, cfg: (cfg.out, "compare"),
        outputs=lambda ctx, cfg: [cfg.out / "compare.json", cfg.out / "report.html"],
        call=calls.compare,
        own_record=False,
    ),
    Stage(
        name="report",
        record="report",
        config=_report,
        inputs=lambda ctx, cfg: {"base": cfg.base, "tuned": cfg.tuned, "compare": cfg.compare},
        where=lambda ctx, cfg: (ctx.layout.state, "report"),
        outputs=lambda ctx, cfg: [cfg.out],
        call=calls.report,
        own_record=False,
    ),
]

NAMES = [s.name for s in STAGES]
ALIASES = {"eval": "eval-base", "samples": "sample-reports", "dataset": "build-dataset",
           "provenance": "check-provenance"}  # fmt: skip
