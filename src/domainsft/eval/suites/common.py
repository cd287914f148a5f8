"""What every built-in suite shares: where the shared benchmark data lies, the system prompt,
and the check that a source file is there before a suite reads it."""

from __future__ import annotations

import os
from pathlib import Path

from domainsft.domains.finance.templates import phrase
from domainsft.utils.jsonl import InputError

# src/domainsft/eval/suites/common.py → the project root is four folders up; the benchmark data
# lies beside the project (../shared/data) and is read in place, never copied into the repo.
PROJECT_ROOT = Path(__file__).resolve().parents[4]


def shared_data(*parts: str) -> Path:
    """A path under the shared data folder: ``$DOMAINSFT_SHARED``, else ``../shared/data``
    next to the project root (a source checkout), else next to the working directory."""
    env = os.environ.get("DOMAINSFT_SHARED")
    if env:
        return Path(env).joinpath(*parts)
    for root in (PROJECT_ROOT.parent, Path.cwd().parent):
        base = root / "shared" / "data"
        if base.exists():
            return base.joinpath(*parts)
    return (PROJECT_ROOT.parent / "shared" / "data").joinpath(*parts)


def existing(path: str | Path, suite: str, what: str) -> Path:
    """``path`` if it exists, else an InputError that says how to point the suite elsewhere."""
    path = Path(path)
    if not path.exists():
        raise InputError(
            f"{path}: {what} not found; pass the file as the suite's source (`--data PATH`) "
            f"or set DOMAINSFT_SHARED to the folder that holds the shared data ({suite} suite)"
        )
    return path


def analyst_system(lang: str) -> str:
    """The domain pack's system prompt, the one the model is trained with, so that an eval
    suite asks the question the way the fine-tuned model will be asked in use."""
    return " ".join(phrase("system", lang).split())
