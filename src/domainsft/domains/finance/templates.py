"""Question/answer templates of the finance domain pack (``templates.yaml``), loaded once.

The dataset builder never hard-codes a finance phrase: every question, answer, citation,
period phrase and disclaimer it renders comes from this file, so another domain pack only
needs its own ``templates.yaml``.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import yaml

from domainsft.domains.finance import PACK_DIR

MIN_PHRASINGS = 3  # per family, pool and language: fewer and a model learns one sentence


@cache
def templates() -> dict[str, Any]:
    """The whole template tree; pools checked for size and both languages on load."""
    raw = yaml.safe_load((PACK_DIR / "templates.yaml").read_text(encoding="utf-8"))
    for family, pools in raw["families"].items():
        for name, pool in pools.items():
            _check_pool(f"families.{family}.{name}", pool)
    return raw


def _check_pool(where: str, pool: Any) -> None:
    if not isinstance(pool, dict) or set(pool) != {"zh", "en"}:
        return  # not a phrasing pool (a word, a list of names or metric ids)
    for lang, phrasings in pool.items():
        if isinstance(phrasings, list) and len(phrasings) < MIN_PHRASINGS:
            raise ValueError(
                f"templates.yaml {where}.{lang}: {len(phrasings)} phrasing(s), "
                f"need at least {MIN_PHRASINGS}"
            )


def family(name: str) -> dict[str, Any]:
    """The pools of one task family, e.g. ``family("lookup")["question"]["zh"]``."""
    fams = templates()["families"]
    if name not in fams:
        raise KeyError(f"templates.yaml has no family {name!r}; known: {', '.join(fams)}")
    return fams[name]


def phrase(key: str, lang: str) -> str:
    """A top-level single phrase such as ``cite`` or ``disclaimer`` in ``lang``."""
    return templates()[key][lang]
