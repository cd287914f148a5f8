"""``domainsft run``: every stage in order into one run folder, unchanged stages skipped.

Reads top to bottom: resolve the recipe into the run folder, then for each stage predict its
record, skip it when the last record equals the prediction and its outputs are there, else
run it with its output in ``logs/<stage>.log``; ``summary.json`` is rewritten after every
stage, so an interrupted run still says how far it got. The first failing stage stops the
run (``RunFailed`` names the stage, the message and the log).
"""

from __future__ import annotations

import json
import time
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from domainsft.config import load_recipe
from domainsft.run.calls import StageError
from domainsft.run.display import Display, captured
from domainsft.run.layout import Layout, resolve, tuned_model, write_config
from domainsft.run.records import Markers, last_record, read_json, why
from domainsft.run.stages import ALIASES, NAMES, STAGES, Ctx, Job, Stage
from domainsft.utils.jsonl import InputError, write_json
from domainsft.utils.manifest import manifest, write_stage_record


class RunFailed(Exception):
    def __init__(self, stage: str, message: str, log: Path):
        super().__init__(f"stage {stage} failed: {message}")
        self.stage, self.message, self.log = stage, message, log


def stage_index(name: str | None) -> int | None:
    """The position of ``--from NAME`` (``eval`` means both evaluations)."""
    if name is None:
        return None
    import difflib

    full = ALIASES.get(name, name)
    if full not in NAMES:
        close = difflib.get_close_matches(name, [*NAMES, *ALIASES], n=1)
        hint = f"did you mean `{close[0]}`? " if close else ""
        raise InputError(f"--from {name!r}: no such stage; {hint}stages: {', '.join(NAMES)}")
    return NAMES.index(full)


def run(
    recipe: Path | None,
    out: Path,
    *,
    reports: list[Path] | None = None,
    from_stage: str | None = None,
    overrides: list[str] | None = None,
    command: str = "domainsft run",
    display: Display | None = None,
) -> dict[str, Any]:
    """Run (or skip) every stage into ``out``; returns summary.json's content."""
    start = stage_index(from_stage)
    layout = Layout(Path(out))
    resolved = resolve(load_recipe(recipe, overrides), layout)
    ctx = Ctx(resolved, layout, reports or resolved.run.reports or None)
    write_config(ctx.recipe, layout, command)
    summary = _summary(ctx, recipe, from_stage, overrides, command)
    display = display or Display(NAMES)
    t0, failed = time.perf_counter(), None
    with display:
        for i, stage in enumerate(STAGES):
            if failed:
                entry = {"status": "skipped", "reason": f"not reached: {failed[0]} failed"}
                summary["stages"][stage.name] = entry
                display.finish(stage.name, "skipped", entry["reason"])
                continue
            entry = _run_stage(stage, ctx, start is not None and i >= start, display)
            interrupted = entry.pop("interrupted", False)
            summary["stages"][stage.name] = entry
            if entry["status"] == "failed":
                failed = (stage.name, entry["error"], layout.log(stage.name))
            _write_summary(summary, layout, t0, failed)
            if interrupted:
                raise KeyboardInterrupt
    summary["results"] = read_json(layout.results) if not failed else None
    _write_summary(summary, layout, t0, failed)
    if failed:
        raise RunFailed(*failed)
    return summary


@dataclass
class _Plan:
    """What the stage's record would be now, and whether and how the stage runs."""

    cfg: Any
    inputs: dict[str, Any]
    folder: Path  # where the stage record lies
    name: str  # its file-name stem
    outputs: list[Path]
    reason: str  # why it runs, or "unchanged"
    job: Job | None  # None: skipped


def _plan(stage: Stage, ctx: Ctx, forced: bool) -> _Plan:
    cfg = stage.config(ctx)
    inputs = stage.inputs(ctx, cfg)
    expected = manifest(stage.record, cfg, inputs)
    folder, name = stage.where(ctx, cfg)
    outputs = stage.outputs(ctx, cfg)
    last = last_record(folder, name)
    reason = why(last, expected, all(p.exists() for p in outputs))
    if reason == "unchanged" and not forced:
        return _Plan(cfg, inputs, folder, name, outputs, reason, None)
    interrupted = Markers(ctx.layout.state).read(stage.name)
    job = Job(expected, interrupted or last, interrupted == expected, forced)
    if forced:
        reason = "forced by --from" + ("" if reason == "unchanged" else f"; {reason}")
    return _Plan(cfg, inputs, folder, name, outputs, reason, job)


def _execute(stage: Stage, ctx: Ctx, plan: _Plan, log: Path) -> str:
    """Run the stage with its output in ``log``; returns its one-line note."""
    assert plan.job is not None
    markers = Markers(ctx.layout.state)
    markers.start(stage.name, plan.job.expected)
    with captured(log) as fh:
        print(f"# {stage.name}: {plan.reason}{' (resuming)' if plan.job.resume else ''}", file=fh)
        try:
            note = stage.call(ctx, plan.cfg, plan.job)
        except BaseException:
            traceback.print_exc(file=fh)
            raise
        if not stage.own_record:
            write_stage_record(plan.folder, stage.record, plan.cfg, plan.inputs, name=plan.name)
        if last_record(plan.folder, plan.name) != plan.job.expected:  # the next run re-runs it
            print(f"warning: the {plan.name} record differs from the prediction", file=fh)
    markers.done(stage.name)
    return note


def _run_stage(stage: Stage, ctx: Ctx, forced: bool, display: Display) -> dict[str, Any]:
    t0 = time.perf_counter()
    display.start(stage.name)
    ctx.note = lambda text: display.note(stage.name, text)
    log = ctx.layout.log(stage.name)
    entry: dict[str, Any] = {"log": str(log)}
    if stage.name == "sample-reports" and not ctx.sample:
        why = "reports given (--reports)" if ctx.reports else "run.sample is off"
        return _done(display, stage, entry, t0, "skipped", why, [])
    try:
        try:
            plan = _plan(stage, ctx, forced)
        except Exception:  # before the stage's own output: its log gets the traceback
            log.parent.mkdir(parents=True, exist_ok=True)
            log.write_text(traceback.format_exc(), encoding="utf-8")
            raise
        if plan.job is None:
            return _done(display, stage, entry, t0, "skipped", plan.reason, plan.outputs)
        note = _execute(stage, ctx, plan, log)
    except KeyboardInterrupt:
        entry |= {"error": "interrupted; run the same command again to pick up from here",
                  "interrupted": True}  # fmt: skip
        return _done(display, stage, entry, t0, "failed", "interrupted", [])
    except (InputError, StageError) as exc:
        entry["error"] = str(exc)
        return _done(display, stage, entry, t0, "failed", str(exc), [])
    except Exception as exc:
        entry["error"] = f"{type(exc).__name__}: {exc}"
        return _done(display, stage, entry, t0, "failed", entry["error"], [])
    entry["reason"] = plan.reason
    return _done(display, stage, entry, t0, "ran", note, plan.outputs)


def _done(
    display: Display, stage: Stage, entry: dict[str, Any], t0: float, status: str, note: str,
    outputs: list[Path],
) -> dict[str, Any]:  # fmt: skip
    entry.setdefault("reason", note if status != "ran" else "")
    entry |= {"status": status, "seconds": round(time.perf_counter() - t0, 3),
              "outputs": [str(p) for p in outputs]}  # fmt: skip
    if status == "ran":
        entry["note"] = note
    display.finish(stage.name, status, note)
    return entry


def _summary(
    ctx: Ctx, recipe: Path | None, from_stage: str | None, overrides: list[str] | None,
    command: str,
) -> dict[str, Any]:  # fmt: skip
    r, layout = ctx.recipe, ctx.layout
    return {
        "command": command,
        "recipe": str(recipe) if recipe else None,
        "out": str(layout.root),
        "reports": [str(p) for p in ctx.sources],
        "from": from_stage,
        "overrides": list(overrides or []),
        "started": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "model": {
            "base": r.train.model,
            "tuned": str(tuned_model(r, layout)),
            "method": r.train.method,
            "corpus": str(layout.corpus),
        },
        "stages": {},
    }


def _write_summary(
    summary: dict[str, Any], layout: Layout, t0: float, failed: tuple | None
) -> None:
    done = len(summary["stages"]) == len(STAGES)
    summary["status"] = "failed" if failed else "ok" if done else "running"
    summary["seconds"] = round(time.perf_counter() - t0, 3)
    write_json(layout.summary, summary)


def load_summary(run_dir: Path) -> dict[str, Any]:
    path = Path(run_dir) / "summary.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise InputError(
            f"{path}: no readable summary; run `domainsft run RECIPE --out {run_dir}` first"
        ) from None
