"""Eval specs: YAML files shaped like lm-evaluation-harness tasks.

A spec uses lm-eval's own keys for what both tools share (``task``, ``dataset_path`` +
``dataset_kwargs.data_files``, ``test_split``, ``output_type: generate_until``,
``generation_kwargs`` with ``until``/``max_gen_toks``/``temperature``, ``metric_list``), and puts
what only domainsft reads under ``metadata.domainsft`` (lm-eval passes ``metadata`` through
untouched): the suite that turns the data into items, the matcher mode and suite options.
See https://github.com/EleutherAI/lm-evaluation-harness/blob/main/docs/task_guide.md for the
lm-eval side. Built-in specs live in ``eval/specs/``; ``--task NAME`` finds them by name.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from domainsft.utils.jsonl import InputError
from domainsft.utils.yamlfile import read_yaml

SPECS_DIR = Path(__file__).parent / "specs"
# lm-eval TaskConfig fields (v0.4): accepted so that an lm-eval task file loads; the ones
# domainsft does not use are ignored.
LM_EVAL_KEYS = frozenset(
    [
        "task",
        "task_alias",
        "tag",
        "group",
        "dataset_path",
        "dataset_name",
        "dataset_kwargs",
        "training_split",
        "validation_split",
        "test_split",
        "fewshot_split",
        "process_docs",
        "doc_to_text",
        "doc_to_target",
        "doc_to_choice",
        "process_results",
        "use_prompt",
        "description",
        "target_delimiter",
        "fewshot_delimiter",
        "fewshot_config",
        "num_fewshot",
        "metric_list",
        "output_type",
        "generation_kwargs",
        "repeats",
        "filter_list",
        "should_decontaminate",
        "doc_to_decontamination_query",
        "gen_prefix",
        "metadata",
        "unsafe_code",
        "doc_to_image",
        "doc_to_audio",
    ]
)
DOMAINSFT_KEYS = frozenset({"suite", "mode", "options", "system_prompt"})
RUNNER_METRICS = frozenset({"perplexity"})  # computed by the runner, not per output


@dataclass
class TaskSpec:
    """One resolved eval task."""

    name: str
    suite: str = "dataset"  # dataset | tatqa | erc | general (see eval.suites)
    data: Path | None = None
    metrics: list[str] = field(default_factory=list)  # empty: every metric
    max_new_tokens: int = 256
    until: list[str] = field(default_factory=list)
    temperature: float = 0.0
    mode: str = "strict"
    options: dict[str, Any] = field(default_factory=dict)
    source: Path | None = None  # the YAML it came from
    assistant: str = ""  # "", grounded or verified: answered through the answer pipeline

    def where(self) -> str:
        return str(self.source) if self.source else f"task {self.name!r}"


class _Loader(yaml.SafeLoader):
    """Safe YAML that reads lm-eval's ``!function module.fn`` tags as plain strings."""


_Loader.add_constructor("!function", lambda loader, node: f"!function {node.value}")


def builtin_specs() -> dict[str, Path]:
    return {p.stem: p for p in sorted(SPECS_DIR.glob("*.yaml"))}


def load_spec(ref: str | Path) -> TaskSpec:
    """A built-in task name (``tatqa_dev``) or a path to a YAML spec."""
    path = Path(ref)
    if not path.suffix and str(ref) in builtin_specs():
        path = builtin_specs()[str(ref)]
    if not path.exists():
        names = ", ".join(builtin_specs())
        hint = difflib.get_close_matches(str(ref), list(builtin_specs()), n=1)
        close = f" Did you mean `{hint[0]}`?" if hint else ""
        raise InputError(
            f"{ref}: no such eval spec.{close} Give a YAML file or a built-in task: {names}"
        )
    raw = read_yaml(path, "eval spec", _Loader)
    if not isinstance(raw, dict):
        raise InputError(f"{path}: an eval spec is a YAML mapping with at least `task:`")
    return parse_spec(raw, path)


def parse_spec(raw: dict[str, Any], path: Path | None = None) -> TaskSpec:
    where = str(path) if path else "eval spec"
    _check_keys(raw, LM_EVAL_KEYS, where, "")
    if not raw.get("task"):
        raise InputError(f"{where}: no `task:` name; every spec names its task")
    if raw.get("output_type", "generate_until") != "generate_until":
        raise InputError(
            f"{where}: output_type {raw['output_type']!r}: domainsft evaluates generated "
            "answers only; use `output_type: generate_until`"
        )
    ours = (raw.get("metadata") or {}).get("domainsft") or {}
    _check_keys(ours, DOMAINSFT_KEYS, where, "metadata.domainsft.")
    gen = raw.get("generation_kwargs") or {}
    until = gen.get("until") or []
    spec = TaskSpec(
        name=str(raw["task"]),
        suite=str(ours.get("suite", "dataset")),
        data=_data_file(raw, path),
        metrics=[_metric_name(m, where) for m in raw.get("metric_list") or []],
        max_new_tokens=int(gen.get("max_gen_toks", 256)),
        until=[until] if isinstance(until, str) else [str(u) for u in until],
        temperature=float(gen.get("temperature", 0.0) if gen.get("do_sample") else 0.0),
        mode=str(ours.get("mode", "strict")),
        options=dict(ours.get("options") or {}),
        source=path,
    )
    if "system_prompt" in ours:
        spec.options["system_prompt"] = ours["system_prompt"]
    return spec


def _check_keys(raw: dict[str, Any], allowed: frozenset[str], where: str, prefix: str) -> None:
    for key in raw:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
            hint = f"did you mean `{prefix}{close[0]}`?" if close else "remove it"
            raise InputError(f"{where}: unknown key `{prefix}{key}`; {hint}")


def _metric_name(entry: Any, where: str) -> str:
    name = entry.get("metric") if isinstance(entry, dict) else entry
    if not isinstance(name, str) or not name:
        raise InputError(
            f"{where}: metric_list entries are `- metric: NAME` (e.g. exact_match); got {entry!r}"
        )
    return name


def _data_file(raw: dict[str, Any], path: Path | None) -> Path | None:
    """``dataset_kwargs.data_files[test_split]`` (or the only file), relative to the spec."""
    files = (raw.get("dataset_kwargs") or {}).get("data_files")
    if not files:
        return None
    if isinstance(files, dict):
        split = raw.get("test_split", "test")
        files = files.get(split) or next(iter(files.values()))
    if isinstance(files, list):
        files = files[0]
    data = Path(str(files))
    if not data.is_absolute() and path is not None and (path.parent / data).exists():
        data = path.parent / data
    return data
