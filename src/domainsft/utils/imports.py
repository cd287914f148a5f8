"""Heavy dependencies stay optional: import at the point of use, fail with the install command."""

from __future__ import annotations

import importlib
from types import ModuleType


class MissingDependency(ImportError):
    pass


def require(module: str, extra: str, package: str | None = None) -> ModuleType:
    """Import ``module`` or raise an error naming the pip command that provides it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        pkg = package or module
        raise MissingDependency(
            f"`{pkg}` is needed here but is not installed: run "
            f"`pip install 'domainsft[{extra}]'` (or `make setup`). ({exc})"
        ) from exc
