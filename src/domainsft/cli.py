"""The `domainsft` command line: one Typer app, each command a thin call into a stage.

Every command reads its stage's typed config from an optional recipe (``--config``), applies
``--set stage.key=value`` overrides and then the command's own flags, and saves the resolved
config beside its outputs.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from domainsft import __version__
from domainsft.config import load_recipe, parse_years
from domainsft.utils.jsonl import InputError

app = typer.Typer(
    name="domainsft",
    help="Turn a general LLM into a domain expert by SFT: documents -> dataset -> training -> "
    "evaluation -> serving. Start with `domainsft sample-reports --out reports` and "
    "`domainsft ingest reports --out corpus`.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode="markdown",
)
console = Console(stderr=True)

ConfigOpt = Annotated[
    Path | None, typer.Option("--config", "-c", help="Recipe YAML; its stage section gives values.")
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override a recipe value, e.g. --set ingest.ocr=never. Repeatable."),
]


def _fail(msg: str) -> None:
    console.print(f"[bold red]error:[/] {msg}")
    raise typer.Exit(2)


def _progress() -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[note]}"),
        console=console,
        transient=False,
    )


@app.callback(invoke_without_command=True)
def _main(
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    if version:
        typer.echo(__version__)
        raise typer.Exit()


@app.command("sample-reports")
def sample_reports(
    out: Annotated[Path | None, typer.Option(help="Output folder (PDFs + truth.jsonl).")] = None,
    companies: Annotated[int | None, typer.Option(help="Number of fictional companies.")] = None,
    years: Annotated[str | None, typer.Option(help="Fiscal years, e.g. 2021-2023.")] = None,
    lang: Annotated[str | None, typer.Option(help="zh, en or both.")] = None,
    scanned_pages: Annotated[
        int | None, typer.Option(help="Pages per report rasterised as scans (no text layer).")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed (same seed, same reports).")] = None,
    config: ConfigOpt = None,
    set_: SetOpt = None,
) -> None:
    """Generate realistic annual-report PDFs for fictional companies, with ground truth.

    Writes one PDF per company, year and language, plus truth.jsonl (every printed fact with
    its page), pii.jsonl (planted personal data) and manifest.json. Deterministic for a seed.

    Example: domainsft sample-reports --out reports --companies 3 --years 2021-2023
    """
    cfg = _stage(
        config,
        set_,
        "samples",
        out=out,
        companies=companies,
        years=years,
        lang=lang,
        scanned_pages=scanned_pages,
        seed=seed,
    )
    from domainsft.samples import generate

    n_reports = cfg.companies * (2 if cfg.lang == "both" else 1) * len(parse_years(cfg.years))
    with _progress() as bar:
        task = bar.add_task("sample reports", total=n_reports, note="")
        summary = generate(cfg, progress=lambda note: bar.update(task, advance=1, note=note))
    console.print(
        f"wrote {summary['n_reports']} reports, {summary['n_pages']} pages, "
        f"{summary['n_facts']} facts to {cfg.out}"
    )


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="PDF files and/or folders of PDFs.")],
    out: Annotated[Path | None, typer.Option(help="Output folder for pages.jsonl etc.")] = None,
    workers: Annotated[int | None, typer.Option(help="Processes; 0 = one per core.")] = None,
    ocr: Annotated[str | None, typer.Option(help="auto | always | never.")] = None,
    ocr_engine: Annotated[str | None, typer.Option(help="rapidocr | tesseract.")] = None,
    strict: Annotated[
        bool | None, typer.Option("--strict", help="Exit non-zero if any file is rejected.")
    ] = None,
    config: ConfigOpt = None,
    set_: SetOpt = None,
) -> None:
    """Turn PDFs into clean, page-numbered text and tables: OUT/pages.jsonl.

    Also writes rejects.jsonl (files that could not be read, with the reason), ingest_stats.json,
    redaction_log.json (counts only) and the resolved config. Scanned or garbled pages are
    OCR'd; running headers/footers are removed; personal data is replaced by [PHONE]-style
    placeholders. Exits non-zero only when nothing could be ingested (or any reject, --strict).

    Example: domainsft ingest reports/ --out corpus
    """
    cfg = _stage(
        config,
        set_,
        "ingest",
        out=out,
        workers=workers,
        ocr=ocr,
        ocr_engine=ocr_engine,
        strict=strict,
    )
    from domainsft.ingest.pipeline import expand_inputs
    from domainsft.ingest.pipeline import ingest as run_ingest

    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        _fail(f"no such file or folder: {', '.join(missing)}")
    n_files = len(expand_inputs(paths)[0])
    if n_files == 0:
        _fail(f"no PDF files found in {', '.join(map(str, paths))}")
    with _progress() as bar:
        task = bar.add_task("ingest", total=n_files, note="")

        def tick(done: int, pages: int, source: str) -> None:
            bar.update(task, completed=done, note=f"{pages} pages  {Path(source).name}")

        result = run_ingest(paths, cfg, progress=tick)
    s = result.stats
    console.print(
        f"{s['files_ingested']}/{s['files']} files, {s['pages']} pages "
        f"({s['ocr_pages']} OCR, {s['tables']} tables) in {s['seconds']} s "
        f"= {s['pages_per_second']} pages/s -> {cfg.out}/pages.jsonl"
    )
    for r in result.rejects:
        console.print(f"[yellow]rejected[/] {r.source}: {r.reason}")
    if s["files_ingested"] == 0 or (cfg.strict and result.rejects):
        raise typer.Exit(1)


@app.command()
def facts(
    corpus: Annotated[
        Path, typer.Argument(help="Folder with pages.jsonl (from `domainsft ingest`), or the file.")
    ],
    out: Annotated[
        Path | None, typer.Option(help="Output facts.jsonl (rejects and stats go beside it).")
    ] = None,
    prose: Annotated[
        bool | None,
        typer.Option("--prose/--no-prose", help="Also read figures from running text."),
    ] = None,
    min_confidence: Annotated[
        float | None, typer.Option(help="Drop facts below this confidence (0-1).")
    ] = None,
    config: ConfigOpt = None,
    set_: SetOpt = None,
) -> None:
    """Read figures out of ingested reports: OUT = facts.jsonl, one record per fact.

    Each fact has the company, fiscal year, metric id of the domain pack, the label as printed,
    the value in base units with its unit and printed scale, the page, the table cell, the
    evidence text and a confidence. Key-figure tables, income statements, balance sheets and
    cash-flow statements (also over page breaks), notes and running text are read. Also writes
    facts_rejects.jsonl (unmapped labels, superseded figures), facts_stats.json and the config.

    Example: domainsft facts corpus --out corpus/facts.jsonl
    """
    cfg = _stage(config, set_, "facts", out=out, prose=prose, min_confidence=min_confidence)
    from domainsft.corpus import pages_file
    from domainsft.facts.pipeline import extract

    if not pages_file(corpus).exists():
        _fail(f"{pages_file(corpus)} not found: run `domainsft ingest PDFs --out {corpus}` first")
    try:  # the bar closes before an input error is printed
        with _progress() as bar:
            task = bar.add_task("facts", total=None, note="")

            def tick(done: int, total: int, source: str) -> None:
                bar.update(task, completed=done, total=total, note=Path(source).name)

            result = extract(corpus, cfg, progress=tick)
    except InputError as exc:
        _fail(str(exc))
    s = result.stats
    console.print(
        f"{s['facts']} facts from {s['documents']} documents ({s['pages']} pages) in "
        f"{s['seconds']} s -> {cfg.out}; {len(result.rejects)} rows not used (unmapped labels, "
        "superseded figures) listed in facts_rejects.jsonl"
    )
    if s["documents"] == 0:
        raise typer.Exit(1)


@app.command("build-dataset")
def build_dataset(
    corpus: Annotated[Path, typer.Option(help="Folder with pages.jsonl (from `ingest`).")],
    facts: Annotated[
        Path | None, typer.Option(help="facts.jsonl (default: CORPUS/facts.jsonl).")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Output folder for the dataset.")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed (same seed, same dataset).")] = None,
    feedback: Annotated[
        list[Path] | None,
        typer.Option(
            help="A feedback log of `domainsft serve` (serve.log_dir/feedback.jsonl): its "
            "verified corrections and well-rated answers join train. Repeatable."
        ),
    ] = None,
    feedback_only: Annotated[
        bool | None,
        typer.Option(
            "--feedback-only",
            help="Write only the feedback examples (OUT/train.jsonl), no families: a quick "
            "continued fine-tune of the served adapter.",
        ),
    ] = None,
    config: ConfigOpt = None,
    set_: SetOpt = None,
) -> None:
    """Turn facts and pages into SFT examples: OUT/train.jsonl, val.jsonl, test.jsonl.

    Task families: lookup, several facts, derived metrics with the worked formula, YoY growth,
    company info, claim verification, and unanswerable questions (negatives). Every answer
    cites report and page. Split by company; also writes alpaca/, sharegpt/, card.md,
    stats.json and the resolved config.

    With --feedback, users' corrections and well-rated answers from a served model join the
    train split once the numeric verifier confirms every figure in the corpus; examples about
    a val/test company go to OUT/feedback_heldout.jsonl instead, and what fails the verifier
    goes to OUT/feedback_rejects.jsonl with the reason.

    Example: domainsft build-dataset --corpus corpus --out dataset

    Example: domainsft build-dataset --corpus corpus --feedback logs/feedback.jsonl
    --feedback-only --out feedback_data
    """
    flags = {"out": out, "seed": seed, "feedback.files": feedback or None,
             "feedback.only": feedback_only or None}  # fmt: skip
    cfg = _stage(config, set_, "dataset", **flags)
    assistant = _stage(config, set_, "assistant")  # shapes the grounded prompts, as in serving
    from domainsft.dataset import build

    facts = facts or corpus / "facts.jsonl"
    try:
        with _progress() as bar:
            families = 0 if cfg.feedback.only else len(cfg.families)
            task = bar.add_task("families", total=families, note="")

            def tick(done: int, total: int, name: str) -> None:
                bar.update(task, completed=done, total=total, note=name)

            result = build(corpus, facts, cfg, progress=tick, assistant=assistant)
    except InputError as exc:
        _fail(str(exc))
    s = result.stats
    console.print(
        f"{s['examples']} examples (train {s['by_split']['train']}, "
        f"val {s['by_split'].get('val', 0)}, test {s['by_split'].get('test', 0)}; "
        f"negatives {s['negative_share']:.1%}) -> {cfg.out}"
    )
    if s.get("unnamed_reports_skipped"):
        skipped = s["unnamed_reports_skipped"]
        console.print(
            f"skipped {len(skipped)} report(s) whose company facts could not name "
            f"(no question can name it): {', '.join(skipped[:3])}{' …' if len(skipped) > 3 else ''}"
        )
    if "feedback" in s:
        _feedback_summary(s["feedback"], cfg.out)
    if s["examples"] == 0:
        raise typer.Exit(1)


def _feedback_summary(f: dict[str, Any], out: Path) -> None:
    why = ", ".join(f"{n} {reason}" for reason, n in f["rejected_by_reason"].items())
    console.print(
        f"feedback: {f['kept']} kept ({f['kept_by_kind']['correction']} corrections, "
        f"{f['kept_by_kind']['rating']} rated answers): {f['train']} in train, "
        f"{f['held_out']} held out (a val/test company) -> {out / 'feedback_heldout.jsonl'}; "
        f"{f['rejected']} rejected{f' ({why})' if why else ''} -> "
        f"{out / 'feedback_rejects.jsonl'}; skipped {f['skipped_negative']} negative, "
        f"{f['skipped_neutral'] + f['skipped_ambiguous_rating']} neutral or ambiguous, "
        f"{f['skipped_good_not_verified']} good but unverified; {f['duplicates']} duplicates, "
        f"{f['superseded']} superseded by a later rating"
    )


@app.command("check-provenance")
def check_provenance(
    corpus: Annotated[Path, typer.Option(help="Folder with pages.jsonl and facts.jsonl.")],
    dataset: Annotated[
        Path | None,
        typer.Argument(help="Dataset folder from `build-dataset` (default: dataset.out)."),
    ] = None,
    facts: Annotated[
        Path | None, typer.Option(help="facts.jsonl (default: CORPUS/facts.jsonl).")
    ] = None,
    config: ConfigOpt = None,
    set_: SetOpt = None,
) -> None:
    """Check that every cited figure is on its cited page and every derived figure recomputes.

    Exits 1 and lists the failing example ids with the reason when any check fails.

    Example: domainsft check-provenance dataset --corpus corpus
    """
    cfg = _stage(config, set_, "dataset", out=dataset)
    from domainsft.dataset.provenance import check_dir

    try:
        report = check_dir(cfg.out, corpus, facts or corpus / "facts.jsonl")
    except InputError as exc:
        _fail(str(exc))
    for f in report["failures"]:
        console.print(f"[red]failed[/] {f['id']}: {f['reason']}")
    console.print(f"{report['checked']} numeric examples checked, {len(report['failures'])} failed")
    if not report["passed"]:
        raise typer.Exit(1)


review_app = typer.Typer(
    help="Human review of dataset examples in Label Studio: `export` a sample as tasks, "
    "`import` the reviewers' verdicts and corrections. Both take --config/--set (the dataset "
    "folder defaults to dataset.out).\n\nExample: domainsft review export --dataset dataset "
    "--split test --n 50 --out review/tasks.json",
    no_args_is_help=True,
)
app.add_typer(review_app, name="review")
DatasetOpt = Annotated[
    Path | None, typer.Option(help="Dataset folder from `build-dataset` (default: dataset.out).")
]


@review_app.command("export")
def review_export(
    out: Annotated[Path, typer.Option(help="Tasks JSON to write (labeling config beside it).")],
    dataset: DatasetOpt = None,
    split: Annotated[str, typer.Option(help="train, val or test.")] = "test",
    n: Annotated[int, typer.Option(min=1, help="Examples to sample.")] = 50,
    seed: Annotated[int, typer.Option(help="Sampling seed (same seed, same sample).")] = 0,
    config: ConfigOpt = None,
    set_: SetOpt = None,
) -> None:
    """Write a seeded sample of a split as Label Studio tasks, plus the labeling config.

    Create a Label Studio project, paste OUT's `.label_config.xml` under Settings -> Labeling
    Interface, import OUT; reviewers mark each answer ok or wrong and type the corrected
    answer. Then export the project as JSON and run `domainsft review import`.

    Example: domainsft review export --dataset dataset --split test --n 50 --out tasks.json
    """
    cfg = _stage(config, set_, "dataset", out=dataset)
    from domainsft.dataset.review import export_tasks

    try:
        s = export_tasks(cfg.out, split, n, seed, out)
    except InputError as exc:
        _fail(str(exc))
    console.print(f"{s['tasks']} tasks -> {s['out']}; labeling config -> {s['label_config']}")


@review_app.command("import")
def review_import(
    export: Annotated[Path, typer.Argument(help="Label Studio export (Export -> JSON).")],
    out: Annotated[Path, typer.Option(help="Reviewed examples JSONL to write.")],
    dataset: DatasetOpt = None,
    config: ConfigOpt = None,
    set_: SetOpt = None,
) -> None:
    """Read a Label Studio JSON export: examples marked ok or corrected go to OUT.

    Each written example carries meta.reviewed=true and meta.review (ok or corrected; the
    original answer is kept in meta.original_answer). Answers marked wrong without a correction
    go to OUT's `.rejects.jsonl`; counts go to `.summary.json`.

    Example: domainsft review import tasks_export.json --dataset dataset --out corrected.jsonl
    """
    cfg = _stage(config, set_, "dataset", out=dataset)
    from domainsft.dataset.review import import_review

    try:
        s = import_review(export, cfg.out, out)
    except InputError as exc:
        _fail(str(exc))
    console.print(
        f"{s['tasks']} tasks: {s['ok']} ok, {s['corrected']} corrected, {s['rejected']} "
        f"rejected, {s.get('unreviewed', 0)} unreviewed -> {s['out']}"
    )


@app.command()
def train(
    recipe: Annotated[
        Path | None, typer.Argument(help="Recipe YAML with a `train:` section (optional).")
    ] = None,
    data: Annotated[Path | None, typer.Option(help="Training JSONL (messages lines).")] = None,
    model: Annotated[
        str | None, typer.Option(help="HF id, local dir, .gguf, adapter dir, or 'default'.")
    ] = None,
    method: Annotated[
        str | None, typer.Option(help="lora | qlora | full | prefix | adapter.")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Output folder.")] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue from the latest checkpoint in OUT.")
    ] = False,
    stop_after: Annotated[
        int | None,
        typer.Option(
            help="Checkpoint and stop after N steps (time-boxed sessions; --resume goes on)."
        ),
    ] = None,
    set_: SetOpt = None,
) -> None:
    """Fine-tune a model on a messages JSONL (LoRA by default) and write the adapter.

    The tokenizer's chat template renders every example and only assistant tokens are
    supervised; examples are packed into rows without cross-example attention; bf16 autocast
    where the hardware has it. Checkpoints every `train.save_steps` (atomic, keep-last-N);
    `--resume` continues exactly where the run stopped. Writes OUT/adapter (or OUT/model for
    full fine-tuning), OUT/merged with `--set train.merge=true`, metrics.jsonl,
    training_card.md, summary.json and config.yaml. `--model` naming an adapter directory trains
    that adapter further (its own LoRA/IA3 settings, on the base it names); the new adapter
    names the same base, so `serve --adapter v2=OUT/adapter` serves it beside the old one.

    Examples:

    - `domainsft train recipes/demo.yaml`
    - `domainsft train --data dataset/train.jsonl --out run1 --set train.lora.r=16`
    - `domainsft train recipes/demo.yaml --resume`
    - continue the served adapter on verified feedback (`build-dataset --feedback-only`):
      `domainsft train recipes/demo.yaml --data fb/train.jsonl --model runs/demo/train/adapter
      --out runs/v2`
    - several GPUs: `accelerate launch --config_file recipes/accelerate/ddp.yaml
      -m domainsft train recipes/demo.yaml`
    """
    cfg = _stage(recipe, set_, "train", data=data, model=model, method=method, out=out)
    from domainsft.train import train as run_training

    try:
        summary = run_training(cfg, resume=resume, stop_after=stop_after)
    except InputError as exc:
        _fail(str(exc))
    if "stopped_at" in summary:
        console.print(
            f"stopped after step {summary['stopped_at']}; `--resume` goes on from "
            f"{summary['checkpoint']}"
        )
    elif summary:
        final = summary["final"]
        console.print(
            f"{summary['steps']} steps, loss {final.get('loss')}, eval loss "
            f"{final.get('eval_loss', 'n/a')}, {summary['tokens_per_s']:.0f} tokens/s -> {cfg.out}"
        )


@app.command()
def score(
    predictions: Annotated[Path, typer.Option(help='Predictions JSONL: {"id", "output"} lines.')],
    gold: Annotated[
        Path,
        typer.Option(help='Gold JSONL: {"id", "answer", "unit"?, "decimals"?, "pages"?} lines.'),
    ],
    out: Annotated[
        Path | None, typer.Option(help="Output folder for verdicts.jsonl + summary.json.")
    ] = None,
    mode: Annotated[
        str | None, typer.Option(help="strict (equal at the gold's precision) | erc (1 %).")
    ] = None,
    strict_ids: Annotated[
        bool | None,
        typer.Option("--strict-ids", help="Error when prediction and gold ids differ."),
    ] = None,
    config: ConfigOpt = None,
    set_: SetOpt = None,
) -> None:
    """Score pre-generated answers against gold: exact numbers, yes/no, names, N/A.

    Numbers are read from free text with their units and scales (11.75亿元, $1,577 million,
    (10.9%), 百分之二十, a fraction against a percent gold) and compared at the precision the
    gold asks for; years and page numbers are never taken for the answer. Outputs with no
    answer number count as unparseable, apart from wrong. `--mode erc` applies the Enterprise
    RAG Challenge rule (1 % relative) and its page-reference score. Writes OUT/verdicts.jsonl
    (one line per gold id), OUT/summary.json and the resolved config.

    Example: domainsft score --predictions preds.jsonl --gold gold.jsonl --out scores
    """
    cfg = _stage(config, set_, "eval", out=out, mode=mode, strict_ids=strict_ids)
    from domainsft.eval import score_files, write_results
    from domainsft.utils.manifest import write_stage_record

    try:
        result = score_files(predictions, gold, cfg.mode, cfg.strict_ids)
    except InputError as exc:
        _fail(str(exc))
    write_results(result, cfg.out)
    write_stage_record(cfg.out, "score", cfg, {"predictions": predictions, "gold": gold})
    s = result.summary
    console.print(
        f"{s['n']} gold answers ({s['mode']}): exact match {s['exact_match']:.1%} "
        f"({s['correct']} correct, {s['wrong']} wrong, {s['unparseable']} unparseable, "
        f"{s['missing_predictions']} missing predictions, {s['extra_predictions']} predictions "
        f"not in gold) -> {cfg.out}"
        + (f"; page score {s['page_score']:.3f}" if "page_score" in s else "")
    )


@app.command("eval")
def eval_(
    model: Annotated[
        str | None, typer.Option(help="HF id, local dir, .gguf or adapter dir; default: SmolLM2.")
    ] = None,
    adapter: Annotated[Path | None, typer.Option(help="A PEFT adapter to put on --model.")] = None,
    data: Annotated[
        Path | None, typer.Option(help="Dataset split for the `test` task (DATASET/test.jsonl).")
    ] = None,
    task: Annotated[
        list[str] | None,
        typer.Option(
            "--task",
            help="Built-in task (test, tatqa_dev, erc_round2, general) or a YAML spec. "
            "Repeatable; default: test.",
        ),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Output folder.")] = None,
    endpoint: Annotated[
        str | None, typer.Option(help="OpenAI-compatible base URL to evaluate instead.")
    ] = None,
    endpoint_model: Annotated[
        str | None, typer.Option(help="Model name at the endpoint (default: --model).")
    ] = None,
    corpus: Annotated[
        Path | None, typer.Option(help="Ingested corpus folder: page texts for citation checks.")
    ] = None,
    limit: Annotated[int | None, typer.Option(help="At most N items per task.")] = None,
    batch_size: Annotated[int | None, typer.Option(help="Prompts per batch.")] = None,
    max_new_tokens: Annotated[
        int | None, typer.Option(help="Answer length limit (default: each task's own).")
    ] = None,
    option: Annotated[
        list[str] | None,
        typer.Option("--option", help="Suite option KEY=VALUE, e.g. pages=runs/erc/pages.jsonl."),
    ] = None,
    select_uncertain: Annotated[
        int | None,
        typer.Option(help="Export the N least confident answers as Label Studio tasks."),
    ] = None,
    name: Annotated[str | None, typer.Option(help="Run name in the results.")] = None,
    assistant: Annotated[
        list[str] | None,
        typer.Option(
            "--assistant",
            help="Also answer each task through the answer pipeline over --corpus: grounded "
            "(evidence in the prompt) or verified (+ verifier, fallback, guard). Repeatable; "
            "adds tasks <task>+<mode> (except to the general set, which no report answers).",
        ),
    ] = None,
    export_lm_eval: Annotated[
        Path | None,
        typer.Option(
            help="Write the tasks as lm-evaluation-harness tasks (docs, YAML, metrics module) "
            "into this folder and stop; no model is loaded.",
        ),
    ] = None,
    config: ConfigOpt = None,
    set_: SetOpt = None,
) -> None:
    """Evaluate a model: generate answers for each task, score them, write a report.

    Metrics: exact match (numbers read with units and scales, at the gold's precision),
    key-number accuracy (every gold figure present and right), CoT consistency (the formula's
    operands and result), part recall of multi-part answers, citation precision (a cited page
    really contains the figure; needs --corpus) and recall, hallucinated-number rate,
    disclaimer and forbidden-phrase compliance, perplexity of the reference answers, latency
    p50/p95, tokens/s and token utilisation. Writes OUT/results.json, OUT/samples.jsonl (every
    prompt, output, gold and metric) and OUT/report.html.

    Examples:

    - domainsft eval --adapter runs/demo/train/adapter --data runs/demo/dataset/test.jsonl
      --corpus runs/demo/corpus --out runs/demo/eval

    - domainsft eval --task general --task tatqa_dev --limit 100 --out runs/base-eval

    - domainsft eval --endpoint http://localhost:8000/v1 --endpoint-model my-model --task general

    Compare runs (base vs fine-tuned, forgetting on the general set) with `domainsft compare`.
    """
    opts = dict(_key_value(o) for o in option or [])
    cfg = _stage(
        config, set_, "eval", model=model, adapter=adapter, data=data, tasks=task, out=out,
        endpoint=endpoint, endpoint_model=endpoint_model, corpus=corpus, limit=limit,
        batch_size=batch_size, select_uncertain=select_uncertain, name=name,
        max_new_tokens=max_new_tokens, assistant=assistant,
    )  # fmt: skip
    cfg.options = {**cfg.options, **opts}
    from domainsft.eval.evaluate import evaluate, export_tasks

    try:
        if export_lm_eval is not None:
            exported = export_tasks(cfg, export_lm_eval)
            for task_name, path in exported:
                console.print(f"{task_name}: {path}")
            console.print(
                f"run: lm_eval --model hf --model_args pretrained=MODEL --include_path "
                f"{export_lm_eval} --tasks {','.join(n for n, _ in exported)} --apply_chat_template"
            )
            return
        results = evaluate(cfg, assistant=_stage(config, set_, "assistant"))
    except InputError as exc:
        _fail(str(exc))
    for task_name, summary in results["tasks"].items():
        m, lat = summary["metrics"], summary["latency"]
        shown = ", ".join(f"{k} {v:.3f}" for k, v in m.items() if v is not None and k in _HEADLINE)
        console.print(
            f"{task_name}: {summary['n']} items; {shown}; p50 {lat['p50_s']} s, "
            f"{lat['tokens_per_s']} tokens/s"
        )
    console.print(f"results.json, samples.jsonl, report.html -> {cfg.out}")


_HEADLINE = ("exact_match", "key_number_accuracy", "citation_precision", "perplexity")


def _key_value(text: str) -> tuple[str, Any]:
    import yaml

    key, sep, value = text.partition("=")
    if not sep or not key:
        _fail(f"--option {text!r}: write KEY=VALUE, e.g. --option pages=runs/erc/pages.jsonl")
    return key.strip(), yaml.safe_load(value)


@app.command()
def compare(
    runs: Annotated[
        list[Path], typer.Argument(help="Result folders of `domainsft eval`, baseline first.")
    ],
    out: Annotated[Path, typer.Option(help="Output folder: compare.json + report.html.")],
) -> None:
    """Compare eval runs side by side: per-task deltas against the first (the baseline) and
    forgetting on the general set (exact match before vs after fine-tuning).

    Example: domainsft compare runs/base-eval runs/ft-eval --out runs/compare
    """
    from domainsft.eval.compare import compare as run_compare

    try:
        summary = run_compare(runs, out)
    except InputError as exc:
        _fail(str(exc))
    for name, f in summary["forgetting"].items():
        console.print(f"{name}: " + (f["verdict"] if f else "no general task in both runs"))
    console.print(f"compare.json, report.html -> {out}")


@app.command("pseudo-label")
def pseudo_label(
    questions: Annotated[
        Path, typer.Option(help='Unlabeled questions JSONL: {"id", "question"} or messages.')
    ],
    corpus: Annotated[Path, typer.Option(help="Corpus folder with facts.jsonl (or the file).")],
    out: Annotated[Path, typer.Option(help="Output folder.")],
    model: Annotated[str | None, typer.Option(help="Model (default: eval.model).")] = None,
    adapter: Annotated[Path | None, typer.Option(help="A PEFT adapter to put on it.")] = None,
    max_new_tokens: Annotated[
        int | None, typer.Option(help="Answer length limit (default: eval.max_new_tokens or 384).")
    ] = None,
    batch_size: Annotated[int | None, typer.Option(help="Prompts per batch.")] = None,
    config: ConfigOpt = None,
    set_: SetOpt = None,
) -> None:
    """Self-training: answer unlabeled questions and keep the answers whose figures verify.

    An answer is kept when every figure it states equals a fact of the company the question
    names (or is the ratio, growth, sum or difference of two verified figures) and every page it
    cites holds a figure it used. Kept answers go to OUT/pseudo_labeled.jsonl as training
    examples (meta.pseudo_label = true; train on them with --data or mix them in), the rest to
    OUT/rejects.jsonl with the reason, counts to OUT/stats.json.

    Example: domainsft pseudo-label --questions new_questions.jsonl --corpus runs/demo/corpus
    --adapter runs/demo/train/adapter --out runs/demo/pseudo
    """
    from domainsft.eval.evaluate import pseudo_label_run

    cfg = _stage(
        config, set_, "eval", model=model, adapter=adapter, batch_size=batch_size,
        max_new_tokens=max_new_tokens,
    )  # fmt: skip
    try:
        stats = pseudo_label_run(cfg, questions, corpus, out)
    except InputError as exc:
        _fail(str(exc))
    console.print(
        f"{stats['kept']} of {stats['questions']} answers verified -> "
        f"{out / 'pseudo_labeled.jsonl'}; rejected: {stats['reasons']}"
    )


def _stage(config: Path | None, overrides: list[str] | None, stage: str, **flags):
    """The stage's config: recipe values, then --set overrides, then explicit flags."""
    values = {f"{stage}.{k}": v for k, v in flags.items() if v is not None}
    try:
        recipe = load_recipe(config, overrides, values)
    except InputError as exc:
        _fail(str(exc))
    return getattr(recipe, stage)


def main() -> None:  # pragma: no cover - console entry for `python -m domainsft`
    sys.exit(app())


# registers ask, verify and serve (with its subcommands) on the app
from domainsft import cli_ask, cli_run, cli_serve  # noqa: E402, F401
