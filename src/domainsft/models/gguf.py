"""GGUF files -> a dense safetensors directory, converted once and cached.

transformers de-quantizes a GGUF into an fp32 model, but flags it as quantized
(``config.quantization_config`` = gguf), so the Trainer refuses to train it and
``save_pretrained`` fails. Rebuilding the model from its config without that entry and copying
the state dict gives an ordinary model with identical weights and identical generations.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from domainsft.utils.hashing import file_sha256
from domainsft.utils.imports import require

CACHE_ENV = "DOMAINSFT_CACHE"
MARKER = "domainsft-cache.json"
_HASH_CHARS = 16


def cache_root() -> Path:
    """``$DOMAINSFT_CACHE``, else ``$XDG_CACHE_HOME/domainsft``, else ``~/.cache/domainsft``."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "domainsft"


def dense_cache_dir(gguf_path: str | Path) -> Path:
    """Where the dense copy of ``gguf_path`` lives: ``<root>/models/<stem>-<sha256 prefix>``.

    Keyed by content, not by path, so a moved or renamed file reuses its cache and a changed
    file with the same name gets a fresh one.
    """
    path = Path(gguf_path).resolve()
    digest = _memo_sha256(str(path), path.stat().st_size, path.stat().st_mtime_ns)
    return cache_root() / "models" / f"{path.stem}-{digest[:_HASH_CHARS]}"


@lru_cache(maxsize=16)
def _memo_sha256(path: str, size: int, mtime_ns: int) -> str:
    """``file_sha256`` memoized; size and mtime are part of the key so edits are noticed."""
    del size, mtime_ns
    return file_sha256(path)


def is_complete(cache_dir: Path) -> bool:
    """A cache entry counts only once its marker, written last before the rename, is there."""
    return (cache_dir / MARKER).is_file() and (cache_dir / "config.json").is_file()


def ensure_dense_cache(gguf_path: str | Path) -> Path:
    """Convert ``gguf_path`` into the cache unless done before; returns the cache directory.

    Safe with concurrent processes (e.g. pytest-xdist workers): a lock file makes the second
    one wait instead of converting again, and the entry appears by an atomic rename of a
    finished temp directory, so nobody ever sees a half-written one, even after a crash.
    """
    gguf_path = Path(gguf_path).resolve()
    target = dense_cache_dir(gguf_path)
    if is_complete(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    filelock = require("filelock", "train")
    with filelock.FileLock(str(target.parent / f".{target.name}.lock")):
        if not is_complete(target):  # another process may have finished while we waited
            _convert_into(gguf_path, target)
    return target


def _convert_into(gguf_path: Path, target: Path) -> None:
    _remove_leftovers(target)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        os.chmod(tmp, 0o755)  # mkdtemp makes 0700; the cache may be shared between users
        model, tokenizer = load_gguf(gguf_path)
        dense = dense_copy(model)
        dense.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        (tmp / MARKER).write_text(json.dumps(_marker(gguf_path), indent=2), encoding="utf-8")
        os.rename(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _remove_leftovers(target: Path) -> None:
    """Temp dirs of crashed conversions and an incomplete target; only the lock holder runs it."""
    for stale in target.parent.glob(f".{target.name}.tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)
    if target.exists():
        shutil.rmtree(target)


def _marker(gguf_path: Path) -> dict[str, Any]:
    transformers = require("transformers", "train")
    return {
        "source": str(gguf_path),
        "sha256": dense_cache_dir(gguf_path).name.rsplit("-", 1)[-1],
        "transformers": transformers.__version__,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "note": "dense fp32 copy of a GGUF model made by domainsft.models.gguf",
    }


def load_gguf(gguf_path: str | Path) -> tuple[Any, Any]:
    """The model and tokenizer as transformers loads them from a GGUF (flagged quantized)."""
    require("gguf", "train")
    transformers = require("transformers", "train")
    path = Path(gguf_path)
    tokenizer = transformers.AutoTokenizer.from_pretrained(path.parent, gguf_file=path.name)
    model = transformers.AutoModelForCausalLM.from_pretrained(path.parent, gguf_file=path.name)
    return model, tokenizer


def dense_copy(model: Any) -> Any:
    """The same weights in a model built from the config minus ``quantization_config``."""
    torch = require("torch", "train")
    transformers = require("transformers", "train")
    config = copy.deepcopy(model.config)
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    dense = transformers.AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    # strict: a key that fails to match would silently stay randomly initialised
    dense.load_state_dict(model.state_dict(), strict=True)
    dense.generation_config = copy.deepcopy(model.generation_config)
    return dense.eval()
