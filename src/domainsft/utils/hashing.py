"""Streaming sha256 of files: one implementation for document ids, stage manifests, the dense
model cache and the retrieval index cache."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

_BLOCK = 1 << 20


def update_from_file(digest: Any, path: str | Path) -> Any:
    """Feed ``path``'s bytes into ``digest`` in 1 MiB blocks (memory stays flat on large files)."""
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(_BLOCK), b""):
            digest.update(block)
    return digest


def file_sha256(path: str | Path) -> str:
    """The hex sha256 of a file's bytes."""
    return update_from_file(hashlib.sha256(), path).hexdigest()
