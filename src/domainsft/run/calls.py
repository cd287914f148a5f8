"""Each stage called as the CLI calls it: the stage's Python entry function, with the checks
its command makes on the result (an empty corpus, a failed provenance check) turned into a
``StageError`` whose message says what went wrong and what to do.

Stage modules are imported inside each function: ``domainsft run --help`` stays instant and a
run that skips training never imports torch for it.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from domainsft.utils.jsonl import write_json

if TYPE_CHECKING:
    from domainsft.run.stages import Ctx, Job


class StageError(Exception):
    """A stage finished but its result is unusable (the command would exit non-zero)."""


def sample_reports(ctx: Ctx, cfg: Any, job: Job) -> str:
    from domainsft.samples import generate

    s = generate(cfg, progress=ctx.note)
    return f"{s['n_reports']} reports, {s['n_pages']} pages, {s['n_facts']} facts"


def ingest(ctx: Ctx, cfg: Any, job: Job) -> str:
    from domainsft.ingest.pipeline import expand_inputs
    from domainsft.ingest.pipeline import ingest as run_ingest

    sources = ctx.sources
    if not sources:
        raise StageError("no reports to read: run.sample is off and none are given "
                         "(--reports or the recipe's run.reports)")  # fmt: skip
    missing = [str(p) for p in sources if not p.exists()]
    if missing:
        raise StageError(f"no such file or folder: {', '.join(missing)} (check --reports)")
    if not expand_inputs(sources)[0]:
        raise StageError(f"no PDF files in {', '.join(map(str, sources))} (check --reports)")
    result = run_ingest(
        sources, cfg, progress=lambda done, pages, _: ctx.note(f"{done} files, {pages} pages")
    )
    for r in result.rejects:
        print(f"rejected {r.source}: {r.reason}")
    s = result.stats
    if s["files_ingested"] == 0:
        why = "; ".join(f"{r.source}: {r.reason}" for r in result.rejects[:3])
        raise StageError(f"no file could be ingested ({why}); give readable PDFs")
    if cfg.strict and result.rejects:
        raise StageError(
            f"{len(result.rejects)} files rejected and ingest.strict is on: see "
            f"{cfg.out / 'rejects.jsonl'}"
        )
    return f"{s['files_ingested']}/{s['files']} files, {s['pages']} pages ({s['ocr_pages']} OCR)"


def facts(ctx: Ctx, cfg: Any, job: Job) -> str:
    from domainsft.facts.pipeline import extract

    result = extract(
        ctx.layout.corpus, cfg, progress=lambda done, n, _: ctx.note(f"{done}/{n} documents")
    )
    s = result.stats
    if s["documents"] == 0:
        raise StageError(f"{ctx.layout.corpus / 'pages.jsonl'} holds no document")
    return f"{s['facts']} facts from {s['documents']} documents"


def build_dataset(ctx: Ctx, cfg: Any, job: Job) -> str:
    from domainsft.dataset import build

    result = build(
        ctx.layout.corpus, ctx.layout.facts, cfg,
        progress=lambda done, n, name: ctx.note(f"{done}/{n} {name}"),
        assistant=ctx.recipe.assistant,
    )  # fmt: skip
    s = result.stats
    if s["examples"] == 0:
        raise StageError(
            f"no examples were built from {ctx.layout.facts}; see {cfg.out / 'card.md'}"
        )
    n = {split: s["by_split"].get(split, 0) for split in ("train", "val", "test")}
    return f"{s['examples']} examples (" + ", ".join(f"{k} {v}" for k, v in n.items()) + ")"


def check_provenance(ctx: Ctx, cfg: Any, job: Job) -> str:
    from domainsft.dataset.provenance import check_dir

    report = check_dir(cfg.out, ctx.layout.corpus, ctx.layout.facts)
    write_json(cfg.out / "provenance.json", report)
    for f in report["failures"]:
        print(f"failed {f['id']}: {f['reason']}")
    if not report["passed"]:
        first = report["failures"][0]
        raise StageError(
            f"{len(report['failures'])} of {report['checked']} examples cite a figure their "
            f"page does not print (first: {first['id']}: {first['reason']}); every failure "
            f"is in {cfg.out / 'provenance.json'}"
        )
    return f"{report['checked']} numeric examples checked, 0 failed"


def train(ctx: Ctx, cfg: Any, job: Job) -> str:
    from domainsft.train import train as run_training
    from domainsft.train.checkpoint import latest

    checkpoints = cfg.out / "checkpoints"
    resume = job.resume and latest(checkpoints) is not None
    if not resume:  # checkpoints of other data or settings must never be resumed
        shutil.rmtree(checkpoints, ignore_errors=True)
    if resume:
        ctx.note(f"resuming from {latest(checkpoints).name}")
    s = run_training(cfg, resume=resume)
    final = s.get("final", {})
    return f"{s['steps']} steps, loss {final.get('loss')}" + (" (resumed)" if resume else "")


def evaluate(ctx: Ctx, cfg: Any, job: Job) -> str:
    """Eval stores its answers keyed by the model's path, the prompt and the settings, not by
    the weights' content; a retrained adapter at the same path would reuse stale answers. So
    stored answers are kept only when resuming this very attempt, or when the last record
    hashed the same model and adapter bytes (and never under --from)."""
    from domainsft.eval.evaluate import evaluate as run_eval

    answers = cfg.out / "answers"
    if answers.exists() and not _same_weights(job):
        shutil.rmtree(answers)
    tasks = run_eval(cfg, assistant=ctx.recipe.assistant)["tasks"]
    first, summary = next(iter(tasks.items()))
    em = summary["metrics"].get("exact_match")
    return f"{len(tasks)} tasks; {first}: exact match " + ("n/a" if em is None else f"{em:.3f}")


def _same_weights(job: Job) -> bool:
    if job.resume:
        return True
    if job.forced or job.previous is None:
        return False
    old, new = job.previous.get("inputs", {}), job.expected["inputs"]
    return all(old.get(k) == new.get(k) for k in ("model", "adapter"))


def compare(ctx: Ctx, cfg: Any, job: Job) -> str:
    from domainsft.eval.compare import compare as run_compare

    summary = run_compare(list(cfg.runs), cfg.out)
    verdicts = [f["verdict"] for f in summary["forgetting"].values() if f]
    return verdicts[0] if verdicts else "no general task in both runs"


def report(ctx: Ctx, cfg: Any, job: Job) -> str:
    from domainsft.run.headline import headline, read_json

    results = headline(read_json(cfg.base), read_json(cfg.tuned), read_json(cfg.compare))
    write_json(cfg.out, results)
    return f"{len(results['rows'])} figures -> {cfg.out}"


def outputs_of_eval(out: Path) -> list[Path]:
    return [out / "results.json", out / "samples.jsonl", out / "report.html"]
