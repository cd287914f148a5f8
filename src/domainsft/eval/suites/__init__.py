"""Built-in eval suites: each turns a benchmark's own files into ``EvalItem``s.

``SUITES`` maps a suite name to its loader, ``load_<name>(source=None, *, limit=None,
**options)``; ``source`` defaults to the benchmark's file under ``../shared/data`` (or the
set shipped beside the loader) and the options are the loader's keyword arguments.

How to add a suite: write ``suites/<name>.py`` with ``load_<name>`` (keyword-only options with
defaults, bad input raising ``InputError``), add one line to ``SUITES``, and a test in
``tests/eval/test_suites.py``.
"""

from __future__ import annotations

import difflib
import inspect
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

from domainsft.eval.items import EvalItem
from domainsft.eval.suites.erc import load_erc
from domainsft.eval.suites.general import load_general
from domainsft.eval.suites.tatqa import load_tatqa
from domainsft.utils.jsonl import InputError

Loader = Callable[..., list[EvalItem]]

SUITES: dict[str, Loader] = {
    "tatqa": load_tatqa,
    "erc": load_erc,
    "general": load_general,
}


def suite_options(name: str) -> dict[str, Any]:
    """A suite's options and their defaults (``limit`` included)."""
    params = inspect.signature(SUITES[name]).parameters.values()
    return {p.name: p.default for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY}


def load_suite(name: str, source: str | Path | None = None, **options: Any) -> list[EvalItem]:
    """Items of the suite ``name``; options given as text (``--option top_k=5``) are converted
    to the type of the option's default."""
    if name not in SUITES:
        raise InputError(f"unknown eval suite {name!r}; use one of: {', '.join(SUITES)}")
    known = suite_options(name)
    for key, value in options.items():
        if key not in known:
            close = difflib.get_close_matches(key, list(known), n=1)
            hint = f" (did you mean `{close[0]}`?)" if close else ""
            raise InputError(
                f"the {name} suite has no option `{key}`{hint}; its options: {', '.join(known)}"
            )
        options[key] = _coerce(name, key, value)
    return SUITES[name](source, **options)


def _coerce(suite: str, key: str, value: Any) -> Any:
    """``"5"`` → 5 where the option is a whole number (``limit``, ``top_k``, ``max_chars``)."""
    hint = typing.get_type_hints(SUITES[suite]).get(key)
    args = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    if int not in args or not isinstance(value, str):
        return value
    try:
        return int(value)
    except ValueError:
        raise InputError(
            f"{suite} suite: option `{key}` must be a whole number, not {value!r}"
        ) from None


__all__ = ["SUITES", "load_erc", "load_general", "load_suite", "load_tatqa", "suite_options"]
