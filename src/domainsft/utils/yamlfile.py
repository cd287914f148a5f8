"""Reading a user's YAML file (a recipe, an eval spec) with errors that name the file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from domainsft.utils.jsonl import InputError


def read_yaml(path: Path, what: str, loader: type[yaml.SafeLoader] = yaml.SafeLoader) -> Any:
    """The parsed file; a missing file, a file that is not UTF-8 or bad YAML raises
    ``InputError`` naming ``what`` it should be, the file and, for bad YAML, the line."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: {what} not found")
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8; re-encode the {what} as UTF-8") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise InputError(f"{path}{line}: not valid YAML ({exc}); fix the syntax there") from None
