"""What ``ask --run`` and ``serve --run`` take from a run folder: its resolved recipe, corpus,
base model and trained adapter.

The paths are taken from the run folder as given on the command line, not from the paths
inside ``config.yaml``: those are relative to where ``domainsft run`` was started, and a run
folder is often used from elsewhere (or copied).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from domainsft.config import load_recipe
from domainsft.run.layout import Layout, is_adapter, tuned_model
from domainsft.utils.jsonl import InputError


@dataclass
class FromRun:
    config: Path  # RUN/config.yaml, the recipe for the other sections (assistant, serve)
    corpus: Path
    model: str  # the base model (the tuned model itself after full fine-tuning)
    adapter: Path | None  # the trained adapter; None after full fine-tuning

    @property
    def serve_adapters(self) -> list[str]:
        return [f"tuned={self.adapter}"] if self.adapter else []


def from_run(run_dir: Path, need_model: bool = True) -> FromRun:
    """The run's corpus and models; errors say which stage has not finished and the fix."""
    layout = Layout(Path(run_dir))
    if not layout.config.exists():
        raise InputError(
            f"{run_dir}: not a run folder (no config.yaml); run `domainsft run RECIPE --out "
            f"{run_dir}` first"
        )
    recipe = load_recipe(layout.config)
    if not (layout.corpus / "facts.jsonl").exists():
        raise InputError(_unfinished(layout, "facts", "the corpus"))
    trained = tuned_model(recipe, layout)
    if need_model and not trained.exists():
        raise InputError(_unfinished(layout, "train", f"the trained model ({trained})"))
    full = recipe.train.method == "full" or is_adapter(recipe.train.model)
    return FromRun(
        config=layout.config,
        corpus=layout.corpus,
        model=str(trained) if full else recipe.train.model,
        adapter=None if full else trained,
    )


def _unfinished(layout: Layout, stage: str, what: str) -> str:
    return (
        f"{layout.root}: {what} is not there yet; the run's {stage} stage has not finished "
        f"(see {layout.summary} and {layout.log(stage)}); re-run the `domainsft run` command "
        "that made this folder"
    )
