"""Where everything of one run lives, and the recipe with every stage's paths pointed there.

One folder per run keeps a run self-describing: the resolved recipe (``config.yaml``), each
stage's outputs beside its stage record, the logs and the summary. The layout is fixed, not
configurable, so that ``ask --run`` and ``serve --run`` find the corpus and the adapter of any
run without being told; a path the recipe gives for a stage output is replaced.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from domainsft.config import Recipe, dump_config


@dataclass(frozen=True)
class Layout:
    """The paths of one run folder ``root``."""

    root: Path

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def corpus(self) -> Path:
        return self.root / "corpus"

    @property
    def facts(self) -> Path:
        return self.corpus / "facts.jsonl"

    @property
    def dataset(self) -> Path:
        return self.root / "dataset"

    @property
    def train(self) -> Path:
        return self.root / "train"

    @property
    def eval(self) -> Path:
        return self.root / "eval"

    @property
    def compare(self) -> Path:
        return self.root / "compare"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def state(self) -> Path:
        """Hidden, so that no folder fingerprint of a stage record ever covers it."""
        return self.root / ".state"

    @property
    def config(self) -> Path:
        return self.root / "config.yaml"

    @property
    def summary(self) -> Path:
        return self.root / "summary.json"

    @property
    def results(self) -> Path:
        return self.root / "results.json"

    def log(self, stage: str) -> Path:
        return self.logs / f"{stage}.log"

    def trained(self, method: str) -> Path:
        """What training leaves: ``train/adapter``, or ``train/model`` for full fine-tuning."""
        return self.train / ("model" if method == "full" else "adapter")


def is_adapter(spec: str | Path) -> bool:
    """Whether a model spec names a PEFT adapter folder (continued training)."""
    return (Path(spec) / "adapter_config.json").is_file()


def resolve(recipe: Recipe, layout: Layout) -> Recipe:
    """``recipe`` with every stage's inputs and outputs inside the run folder.

    The base model is ``train.model`` for every stage that loads one, so that the base and
    tuned evaluations, ``ask`` and ``serve`` all mean the model this run fine-tuned.
    """
    r = recipe.model_copy(deep=True)
    r.samples.out = layout.reports
    r.ingest.out = layout.corpus
    r.facts.out = layout.facts
    r.dataset.out = layout.dataset
    r.train.data = layout.dataset / "train.jsonl"
    if r.train.val_data is not None:
        r.train.val_data = layout.dataset / "val.jsonl"
    r.train.out = layout.train
    r.eval.data = layout.dataset / "test.jsonl"
    r.eval.corpus = layout.corpus
    r.eval.out = layout.eval
    r.eval.model = r.train.model
    r.eval.endpoint = None  # a run evaluates the models it trained, in this process
    r.assistant.corpus = layout.corpus
    r.assistant.model = tuned_model(r, layout) if r.train.method == "full" else r.train.model
    r.assistant.adapter = None  # `ask --run` adds it; serve takes it as version `tuned`
    r.serve.adapters = [] if r.train.method == "full" else [f"tuned={tuned_model(r, layout)}"]
    r.serve.log_dir = layout.root / "serve"
    return r


def tuned_model(recipe: Recipe, layout: Layout) -> Path:
    return layout.trained(recipe.train.method)


def write_config(recipe: Recipe, layout: Layout, command: str) -> None:
    """``RUN/config.yaml``: the resolved recipe, loadable as a recipe again."""
    layout.root.mkdir(parents=True, exist_ok=True)
    head = (
        "# The resolved recipe of this run (every stage's paths inside the run folder), "
        "run by:\n"
        f"#   {command}\n"
    )
    tmp = layout.config.with_name(".config.yaml.tmp")
    tmp.write_text(head + dump_config(recipe), encoding="utf-8")
    tmp.replace(layout.config)
