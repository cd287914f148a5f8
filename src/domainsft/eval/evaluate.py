"""Eval's entry points from a resolved config: ``evaluate`` (``domainsft eval``), ``export_tasks``
(``--export-lm-eval``) and ``pseudo_label_run`` (``domainsft pseudo-label``).

Each reads top to bottom: resolve the tasks, pick the backend the config names, run, leave the
stage record (``eval_config.yaml`` + ``eval_manifest.json``) beside the outputs. The command
line only parses flags into an ``EvalConfig`` and prints.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from domainsft.config import AssistantConfig, EvalConfig, prompt_settings
from domainsft.corpus import facts_file, load_facts, pages_file
from domainsft.eval.assistant import with_assistant
from domainsft.eval.items import PageTexts
from domainsft.eval.runner import EvalJob, build_items, check_metrics, resolve_tasks, run
from domainsft.eval.spec import TaskSpec
from domainsft.models.backends import Generation
from domainsft.utils.manifest import write_stage_record


def tasks_of(cfg: EvalConfig) -> list[TaskSpec]:
    """The task specs the config names, checked, with the config's answer-length limit."""
    specs = resolve_tasks(cfg.tasks, cfg.data)
    check_metrics(specs)
    for spec in specs:
        spec.max_new_tokens = cfg.max_new_tokens or spec.max_new_tokens
    return specs


def evaluate(
    cfg: EvalConfig, backend: Any | None = None, assistant: AssistantConfig | None = None
) -> dict[str, Any]:
    """Generate, score and report every task; returns ``results.json``'s content.
    ``assistant``: the recipe's section the `<task>+grounded/+verified` tasks answer with (the
    pages shown per question, ...), so eval measures the assistant that `serve` runs."""
    specs = with_assistant(tasks_of(cfg), cfg.assistant, cfg.corpus)
    pages = PageTexts.load(cfg.corpus) if cfg.corpus else PageTexts()
    job = EvalJob(
        tasks=specs, out=cfg.out, name=cfg.name or cfg.out.name, pages=pages, limit=cfg.limit,
        options=cfg.options, select_uncertain=cfg.select_uncertain, model_info=model_info(cfg),
        mlflow=cfg.mlflow, corpus=cfg.corpus, assistant=assistant,
    )  # fmt: skip
    own = backend is None
    backend = backend or backend_for(cfg)
    try:
        results = run(job, backend)
    finally:
        if own and hasattr(backend, "close"):
            backend.close()  # the continuous engine's worker thread
    write_stage_record(cfg.out, "eval", cfg, record_inputs(cfg, specs, assistant))
    return results


def export_tasks(cfg: EvalConfig, out: Path) -> list[tuple[str, Path]]:
    """Write every task as an lm-evaluation-harness task into ``out``; no model is loaded."""
    from domainsft.eval.lm_eval_export import export

    specs = tasks_of(cfg)
    return [(s.name, export(s, build_items(s, cfg.limit, cfg.options), out)) for s in specs]


def pseudo_label_run(cfg: EvalConfig, questions: Path, corpus: Path, out: Path) -> dict[str, Any]:
    """Answer unlabeled questions with the configured model; keep those that verify."""
    from domainsft.eval.pseudo_label import pseudo_label, read_questions

    qs = read_questions(questions)
    facts = load_facts(corpus)
    answers = backend_for(cfg).generate(
        [q.prompt for q in qs], Generation(cfg.max_new_tokens or 384)
    )
    return pseudo_label(qs, [a.text for a in answers], facts, out)


def model_info(cfg: EvalConfig) -> dict[str, Any]:
    if cfg.endpoint:
        return {"endpoint": cfg.endpoint, "model": cfg.endpoint_model or cfg.model}
    return {"model": cfg.model, "adapter": str(cfg.adapter) if cfg.adapter else None}


def backend_for(cfg: EvalConfig) -> Any:
    """The endpoint the config names, else the local model (with its adapter)."""
    from domainsft.models.backends import backend_from

    return backend_from(cfg)


def record_inputs(
    cfg: EvalConfig, specs: list[TaskSpec] | None = None, assistant: AssistantConfig | None = None
) -> dict[str, Any]:
    """The inputs the stage record hashes; `domainsft run` predicts the record from them. The
    facts and the assistant's prompt settings count only where assistant tasks read them."""
    if specs is None:
        specs = with_assistant(tasks_of(cfg), cfg.assistant, cfg.corpus)
    data = [s.data for s in specs if s.data is not None]
    return {
        "tasks": [str(s.source) if s.source else s.name for s in specs],
        "data": data,
        "pages": pages_file(cfg.corpus) if cfg.corpus else None,
        "facts": facts_file(cfg.corpus) if cfg.corpus and cfg.assistant else None,
        "model": cfg.endpoint or cfg.model,
        "adapter": cfg.adapter,
        "grounding": prompt_settings(assistant) if cfg.assistant else None,
    }
