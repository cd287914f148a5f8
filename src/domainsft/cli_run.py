"""``domainsft run``: the whole pipeline from one recipe into one run folder."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from domainsft.cli import ConfigOpt, SetOpt, _fail, app
from domainsft.utils.jsonl import InputError


@app.command("run")
def run_command(
    recipe: Annotated[
        Path | None, typer.Argument(help="Recipe YAML, one section per stage (or --config).")
    ] = None,
    reports: Annotated[
        list[Path] | None,
        typer.Option(
            "--reports",
            help="Annual-report PDFs or folders to read, in place of the recipe's run.reports "
            "(and of the sampled reports, unless the recipe sets run.sample: true). Repeatable.",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="The run folder (default: runs/RECIPE, the recipe's name)."),
    ] = None,
    from_stage: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="Run this stage and every later one even if unchanged: sample-reports, "
            "ingest, facts, build-dataset, check-provenance, train, eval (both), eval-base, "
            "eval-tuned, compare, report.",
        ),
    ] = None,
    config: ConfigOpt = None,
    set_: SetOpt = None,
) -> None:
    """Run every stage of a recipe into one folder: sample-reports (unless reports are given) ->
    ingest -> facts -> build-dataset -> check-provenance -> train -> eval-base, eval-tuned
    (each model alone and through the grounded and verified answer pipeline when the recipe's
    `eval.assistant` asks) -> compare -> report.

    The run folder holds `reports/`, `corpus/` (pages.jsonl, facts.jsonl), `dataset/`,
    `train/` (the adapter), `eval/base/`, `eval/tuned/`, `compare/` (report.html),
    `config.yaml` (the resolved recipe), `summary.json` (each stage's status, seconds and
    outputs, and the figures), `results.json` (exactly the figures printed at the end) and
    `logs/<stage>.log` (each stage's own output).

    Running the same command again skips every stage whose config and inputs (content
    hashes) are unchanged and whose outputs are there; a stage whose inputs changed runs
    again, and so does every stage after it whose inputs it changed. An interrupted run picks
    up where it stopped: training from its last checkpoint, evaluation from the answers it had
    stored. `--from STAGE` forces that stage and all later ones. A failing stage stops the run
    with exit code 1 and names the stage, the error and its log.

    The recipe's sections configure the stages as for the single commands (`--set
    stage.key=value` overrides); its `run` section names reports to read where they lie and
    whether sampled ones join them; the stages' input and output paths are replaced by the run
    folder's, and `train.model` is the base model that both evaluations, `ask --run` and
    `serve --run` use.

    Examples:

    - `domainsft run recipes/annual_report.yaml --out runs/annual_report`
    - `domainsft run recipes/demo.yaml --reports my_reports/ --out runs/mine`
    - `domainsft run recipes/real_reports.yaml --out runs/real_reports` (real reports from
      the recipe's run.reports beside sampled ones; its test split is other real reports)
    - `domainsft run recipes/annual_report.yaml --out runs/annual_report --from train
      --set train.lr=2e-4`
    - then: `domainsft ask --run runs/annual_report "…"` and `domainsft serve --run
      runs/annual_report`
    """
    from domainsft.run.display import Display
    from domainsft.run.headline import render
    from domainsft.run.pipeline import NAMES, RunFailed, run

    if recipe is not None and config is not None and recipe != config:
        _fail(f"give the recipe once: {recipe} as the argument or {config} as --config")
    recipe = recipe or config
    out = out or Path("runs") / (recipe.stem if recipe else "default")
    console = Console(file=sys.stderr)  # pinned before stages redirect stderr to their logs
    command = shlex.join(["domainsft", *sys.argv[1:]]) if sys.argv[1:2] == ["run"] else (
        f"domainsft run {recipe or ''} --out {out}"
    )  # fmt: skip
    try:
        summary = run(
            recipe, out, reports=reports, from_stage=from_stage, overrides=set_,
            command=command, display=Display(NAMES, console),
        )  # fmt: skip
    except RunFailed as exc:
        console.print(f"[bold red]error:[/] stage [bold]{exc.stage}[/] failed: {exc.message}")
        console.print(f"  its log: {exc.log}")
        console.print(f"  summary: {out / 'summary.json'}; fix the cause and run the same "
                      "command again (finished stages are skipped)")  # fmt: skip
        raise typer.Exit(1) from None
    except InputError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        console.print("[yellow]interrupted[/]: run the same command again to pick up from here")
        raise typer.Exit(130) from None
    ran = [n for n, s in summary["stages"].items() if s["status"] == "ran"]
    console.print(
        f"{len(ran)} stages ran, {len(summary['stages']) - len(ran)} skipped in "
        f"{summary['seconds']:.1f} s -> {out} (summary.json, results.json, "
        "compare/report.html)"
    )
    for line in render(summary["results"]):
        typer.echo(line)
