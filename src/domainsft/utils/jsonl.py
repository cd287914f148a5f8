"""JSONL reading and writing with errors that name the file, the line and the fix."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any


class InputError(ValueError):
    """Bad user input: the message names the file, the line and how to fix it."""


def read_jsonl(path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line_number, record)`` for each non-blank line of a JSONL file."""
    for lineno, record in read_jsonl_lenient(path):
        if isinstance(record, InputError):
            raise record
        yield lineno, record


def read_jsonl_lenient(path: str | Path) -> Iterator[tuple[int, dict[str, Any] | InputError]]:
    """Like ``read_jsonl``, but a bad line is yielded as its ``InputError`` (naming the file,
    the line and the fix) and reading goes on: for logs that a crash or a second writer may
    have left with a torn line, where one bad line must not cost the rest. A missing file
    still raises."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: file not found")
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            if raw.strip():
                yield lineno, _parse_line(path, lineno, raw)


def _parse_line(path: Path, lineno: int, raw: bytes) -> dict[str, Any] | InputError:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return InputError(
            f"{path}:{lineno}: not UTF-8 ({exc.reason} at byte {exc.start}); "
            "re-encode the file as UTF-8 (e.g. `iconv -f GBK -t UTF-8`)"
        )
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        return InputError(
            f"{path}:{lineno}: invalid JSON ({exc.msg} at column {exc.colno}); "
            "each line must be one complete JSON object"
        )
    if not isinstance(record, dict):
        return InputError(f"{path}:{lineno}: expected a JSON object, got {type(record).__name__}")
    return record


def write_jsonl(path: str | Path, records: Iterable[dict[str, Any]]) -> int:
    """Write records atomically (temp file + rename); returns the number written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    n = 0
    with tmp.open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            n += 1
    os.replace(tmp, path)
    return n


def write_json(path: str | Path, obj: Any) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(obj, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)
