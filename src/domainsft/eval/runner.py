"""``domainsft eval``: generate answers for each task, score them, write the three outputs.

Reads top to bottom: resolve the tasks, then per task build the items, generate, score every
sample, aggregate; then write ``results.json``, ``samples.jsonl`` and ``report.html`` (and the
Label Studio tasks of the least confident answers when asked).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from domainsft.eval import aggregate
from domainsft.eval.answers import CHUNK_BATCHES, AnswerStore, answer_all
from domainsft.eval.assistant import SharedGenerations
from domainsft.eval.gold import parse_gold
from domainsft.eval.items import EvalItem, PageTexts, items_from_examples
from domainsft.eval.matcher import match_answer
from domainsft.eval.spec import RUNNER_METRICS, TaskSpec, load_spec
from domainsft.models.backends import Answer, Generation
from domainsft.utils.jsonl import InputError, write_json, write_jsonl

log = logging.getLogger(__name__)


@dataclass
class EvalJob:
    """Everything one ``domainsft eval`` run needs, resolved."""

    tasks: list[TaskSpec]
    out: Path
    name: str
    pages: PageTexts = field(default_factory=PageTexts)
    limit: int | None = None
    options: dict[str, Any] = field(default_factory=dict)  # --set key=value, to the suites
    select_uncertain: int = 0
    model_info: dict[str, Any] = field(default_factory=dict)
    mlflow: bool = True
    corpus: Path | None = None  # what assistant tasks answer from
    assistant: Any = None  # the AssistantConfig they answer with (None: its defaults)


def resolve_tasks(tasks: list[str], data: Path | None) -> list[TaskSpec]:
    """``--task`` names/paths (default: the ``test`` task); ``--data`` sets the data file of a
    dataset-suite task (the test split) and is an error where no task reads a file."""
    specs = [load_spec(t) for t in (tasks or ["test"])]
    if data is not None:
        targets = [s for s in specs if s.suite == "dataset"] or specs[:1]
        for spec in targets:
            spec.data = data
    for spec in specs:
        if spec.suite == "dataset" and (spec.data is None or not spec.data.exists()):
            raise InputError(
                f"{spec.where()}: the test split {spec.data} does not exist; pass --data "
                "DATASET/test.jsonl (written by `domainsft build-dataset`)"
            )
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise InputError(f"--task: a task is named twice ({', '.join(names)}); give each once")
    return specs


def check_metrics(specs: list[TaskSpec]) -> None:
    """Unknown metric names fail before any model is loaded."""
    from domainsft.eval.metrics import resolve

    for spec in specs:
        try:
            resolve([m for m in spec.metrics if m not in RUNNER_METRICS])
        except InputError as exc:
            raise InputError(f"{spec.where()}: {exc}") from None


def build_items(spec: TaskSpec, limit: int | None, options: dict[str, Any]) -> list[EvalItem]:
    """The task's items; with ``limit``, a subset that covers every family (see ``spread``)."""
    return spread(_all_items(spec, options), limit)


def spread(items: list[EvalItem], limit: int | None) -> list[EvalItem]:
    """At most ``limit`` items, taken round-robin across families in file order, so that
    ``--limit 20`` of a test split sorted by family still scores every family; the same
    subset every time."""
    if limit is None or len(items) <= limit:
        return items
    groups: dict[str, list[int]] = {}
    for i, item in enumerate(items):
        groups.setdefault(item.family, []).append(i)
    chosen: list[int] = []
    queues = [list(reversed(g)) for g in groups.values()]
    while len(chosen) < limit:
        for q in queues:
            if q and len(chosen) < limit:
                chosen.append(q.pop())
    return [items[i] for i in sorted(chosen)]


def _all_items(spec: TaskSpec, options: dict[str, Any]) -> list[EvalItem]:
    if spec.suite == "dataset":
        assert spec.data is not None
        return items_from_examples(spec.data)
    from domainsft.eval.suites import SUITES, load_suite, suite_options

    if spec.suite not in SUITES:
        raise InputError(
            f"{spec.where()}: unknown suite {spec.suite!r}; use one of: dataset, "
            + ", ".join(SUITES)
        )
    accepted = suite_options(spec.suite)
    chosen = {**spec.options, **{k: v for k, v in options.items() if k in accepted}}
    return load_suite(spec.suite, spec.data, **chosen)


def run(job: EvalJob, backend: Any) -> dict[str, Any]:
    """Evaluate every task with ``backend``; returns the results (also written to job.out)."""
    from domainsft.eval.suites import SUITES, suite_options

    unused = set(job.options)
    for spec in job.tasks:
        if spec.suite in SUITES:  # an unknown suite is reported by build_items
            unused -= set(suite_options(spec.suite))
    if unused:
        raise InputError(
            f"--option {sorted(unused)[0]}: no task takes this option; options go to the suites "
            "(e.g. pages=... for erc_round2, top_k=...)"
        )
    results: dict[str, Any] = {
        "name": job.name,
        "model": job.model_info,
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "domainsft_version": _version(),
        "tasks": {},
    }
    all_samples: list[dict[str, Any]] = []
    wrapped: dict[str, Any] = {}
    shared = None  # one generation per grounded prompt, for both assistant modes
    for spec in job.tasks:
        items = build_items(spec, job.limit, job.options)
        answering = backend
        if spec.assistant:
            if spec.assistant not in wrapped:
                shared = shared or SharedGenerations(backend)
                wrapped[spec.assistant] = _assistant(shared, job, spec.assistant)
            answering = wrapped[spec.assistant]
        summary, samples = run_task(spec, items, answering, job)
        results["tasks"][spec.name] = summary
        all_samples.extend(samples)
    write_outputs(job, results, all_samples)
    return results


def _assistant(backend: Any, job: EvalJob, mode: str) -> Any:
    from domainsft.eval.assistant import AssistantBackend

    if job.corpus is None:
        raise InputError("an assistant task needs --corpus (pages.jsonl + facts.jsonl)")
    return AssistantBackend(backend, job.corpus, mode, job.assistant)


def generate_answers(
    spec: TaskSpec, items: list[EvalItem], backend: Any, job: EvalJob
) -> tuple[list[Answer], float]:
    """Every item's answer, generated in chunks that are stored as they finish (a rerun of
    the same job reuses them; see ``eval.answers``), under one progress bar."""
    from tqdm.auto import tqdm

    gen = Generation(spec.max_new_tokens, tuple(spec.until), spec.temperature)
    store = AnswerStore(job.out / "answers" / f"{spec.name}.jsonl", job.model_info, gen)
    size = max(getattr(backend, "batch_size", 8), 1) * CHUNK_BATCHES
    with tqdm(total=len(items), desc=f"{spec.name}: generate", unit="item") as bar:

        def generate(chunk: list[EvalItem]) -> list[Answer]:
            return backend.generate([it.prompt for it in chunk], gen, progress=False)

        return answer_all(items, store, generate, size, progress=bar.update)


def run_task(
    spec: TaskSpec, items: list[EvalItem], backend: Any, job: EvalJob
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    answers, wall = generate_answers(spec, items, backend, job)
    want_ppl = not spec.metrics or "perplexity" in spec.metrics
    ppl = backend.perplexity(items) if want_ppl else [None] * len(items)
    samples = [
        sample_record(spec, item, answer, score(spec, item, answer, job.pages))
        for item, answer in zip(items, answers, strict=True)
    ]
    for sample, p in zip(samples, ppl, strict=True):
        if want_ppl:
            sample["metrics"]["perplexity"] = None if p is None else round(p, 4)
    means, applicable = aggregate.metric_means(samples)
    summary = {
        "n": len(samples),
        "suite": spec.suite,
        "mode": spec.mode,
        "metrics": means,
        "applicable": applicable,
        "by_family": aggregate.by_family(samples),
        "errors": aggregate.error_categories(samples),
        "latency": aggregate.latency(samples, wall),
        "tokens": aggregate.token_use(samples),
        "failed": sum(1 for s in samples if s.get("error")),
        "metric_errors": sum(1 for s in samples if s.get("metric_error")),
    }
    return summary, samples


def score(spec: TaskSpec, item: EvalItem, answer: Answer, pages: PageTexts) -> dict[str, Any]:
    """Every per-output metric of one answer. A metric that fails on one odd output is
    recorded on that sample (``metric_error``) and the evaluation goes on."""
    from domainsft.eval.metrics import MetricEnv, score_item

    if answer.error:
        return {}
    names = [m for m in spec.metrics if m not in RUNNER_METRICS] or None
    try:
        return score_item(item, answer.text, MetricEnv(pages=pages, mode=spec.mode), names)
    except Exception as exc:  # one sample's failure must not lose the run
        log.warning("%s: scoring %s failed: %s", spec.name, item.id, exc)
        return {"metric_error": f"{type(exc).__name__}: {exc}"}


def sample_record(
    spec: TaskSpec, item: EvalItem, answer: Answer, scores: dict[str, Any]
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "task": spec.name,
        "id": item.id,
        "family": item.family,
        "lang": item.lang,
        "prompt": item.prompt,
        "output": answer.text,
        "reference": item.reference,
        "gold": item.gold,
        "verdict": None,
        "reason": None,
        "metrics": scores,
        "latency_s": round(answer.latency_s, 4),
        "n_prompt_tokens": answer.n_prompt_tokens,
        "n_new_tokens": answer.n_new_tokens,
        "n_pad_tokens": answer.n_pad_tokens,
        "finish_reason": answer.finish_reason,
        "mean_logprob": None if math.isnan(answer.mean_logprob) else answer.mean_logprob,
    }
    if "metric_error" in scores:
        record["metric_error"] = scores.pop("metric_error")
    if answer.error:
        record["error"] = answer.error
    elif item.gold is not None:
        m = match_answer(answer.text, parse_gold(item.gold, f"{spec.name}:{item.id}"), spec.mode)
        record["verdict"], record["reason"] = m.verdict, m.reason
    return record


def write_outputs(job: EvalJob, results: dict[str, Any], samples: list[dict[str, Any]]) -> None:
    from domainsft.eval.report import write_report

    job.out.mkdir(parents=True, exist_ok=True)
    write_json(job.out / "results.json", results)
    write_jsonl(job.out / "samples.jsonl", samples)
    write_report([results], job.out / "report.html", samples={job.name: samples})
    if job.select_uncertain:
        from domainsft.eval.active import export_uncertain

        export_uncertain(samples, job.select_uncertain, job.out / "uncertain_tasks.json")
    from domainsft.eval.tracking import log_mlflow

    log_mlflow(results, job.out, enabled=job.mlflow)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("domainsft")
    except PackageNotFoundError:
        return "unknown"
