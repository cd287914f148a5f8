"""The search vocabulary of the finance pack (``search.yaml``): disclosure topics that are not
metrics, each with the phrases a question asks with and the phrases a report answers with, and
words that show where a metric's figure is without being one of its labels."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import yaml

from domainsft.domains.finance import PACK_DIR

LANGS = ("zh", "en")


@dataclass(frozen=True)
class Topic:
    id: str
    ask: dict[str, tuple[str, ...]]  # lang -> phrases a question names the topic with
    expand: dict[str, tuple[str, ...]]  # lang -> phrases reports print about it


@cache
def _raw() -> dict:
    return yaml.safe_load((PACK_DIR / "search.yaml").read_text(encoding="utf-8"))


@cache
def metric_words() -> dict[str, dict[str, tuple[str, ...]]]:
    """metric id -> lang -> search words that are not labels of the metric."""
    from domainsft.domains.finance import metrics

    out = {}
    for mid, by_lang in (_raw().get("metrics") or {}).items():
        if mid not in metrics():
            raise ValueError(f"search.yaml metrics: {mid!r} is not a metric of metrics.yaml")
        out[mid] = {lang: tuple(by_lang.get(lang, ())) for lang in LANGS}
    return out


@cache
def topics() -> dict[str, Topic]:
    """Every topic of ``search.yaml``, keyed by id; both languages checked on load."""
    out = {}
    for tid, spec in _raw()["topics"].items():
        for part in ("ask", "expand"):
            missing = [lang for lang in LANGS if not (spec.get(part) or {}).get(lang)]
            if missing:
                raise ValueError(f"search.yaml topic {tid}: `{part}` has no {missing} phrases")
        out[tid] = Topic(
            id=tid,
            ask={lang: tuple(spec["ask"][lang]) for lang in LANGS},
            expand={lang: tuple(spec["expand"][lang]) for lang in LANGS},
        )
    return out
