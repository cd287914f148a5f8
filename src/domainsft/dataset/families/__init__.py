"""Task families: one module each, registered here. Adding a family is one file, one line
below and its pools in the domain pack's ``templates.yaml``."""

from __future__ import annotations

from collections.abc import Callable

from domainsft.dataset.families import (
    claim,
    compare,
    derived,
    info,
    lookup,
    multi,
    negative,
    summary,
    trend,
    yoy,
)
from domainsft.dataset.families.base import Context
from domainsft.records import Example

Generator = Callable[[Context], list[Example]]

FAMILIES: dict[str, Generator] = {
    "lookup": lookup.generate,
    "multi": multi.generate,
    "derived": derived.generate,
    "yoy": yoy.generate,
    "info": info.generate,
    "claim": claim.generate,
    "trend": trend.generate,
    "compare": compare.generate,
    "summary": summary.generate,
    "negative": negative.generate,
}
