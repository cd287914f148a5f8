"""What every task family shares: the build context and the one way to make an example."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from domainsft.dataset.corpus import Index, Report
from domainsft.dataset.render import rng_for
from domainsft.dataset.signs import Signs
from domainsft.domains.finance.templates import family, phrase, templates
from domainsft.records import Example, Fact, Page


@dataclass
class Context:
    index: Index
    seed: int
    claim_false_share: float = 0.5
    pages: dict[tuple[str, int], Page] = field(default_factory=dict)  # (doc_id, page) -> page
    signs: Signs = field(init=False)  # formula inputs in the sign formulas expect

    def __post_init__(self) -> None:
        self.signs = Signs(self.index.facts.values())


def rng(ctx: Context, *parts: object) -> random.Random:
    return rng_for(ctx.seed, *parts)


def pick(r: random.Random, fam: str, pool: str, lang: str) -> str:
    return r.choice(family(fam)[pool][lang])


def example(
    fam: str,
    lang: str,
    question: str,
    answer: str,
    facts: list[Fact],
    gold: dict[str, Any] | None = None,
    reports: list[Report] | None = None,
    judgement: bool = False,
    **extra: Any,
) -> Example:
    """An example with its provenance; ``id`` and ``split`` are set by the builder."""
    answer = answer[:1].upper() + answer[1:]  # a template may open with a lower-case label
    if judgement:
        answer = f"{answer}\n{phrase('disclaimer', lang)}"
    docs = sorted({f.doc_id for f in facts} | {r.doc_id for r in reports or []})
    pages = sorted({(f.doc_id, f.page) for f in facts})
    meta = {
        "family": fam,
        "company": (facts[0].company if facts else reports[0].company if reports else ""),
        "lang": lang,
        "doc_ids": docs,
        "pages": [list(p) for p in pages],
        "fact_ids": [f.fact_id for f in facts],
        "gold": gold,
        "is_negative": False,
        "is_replay": False,
        "with_context": False,
        **extra,
    }
    messages = [
        {"role": "system", "content": templates()["system"][lang]},
        {"role": "user", "content": question},
        {"role": "assistant", "content": answer},
    ]
    return Example(id="", messages=messages, meta=meta)


def gold_of(f: Fact, places: int) -> dict[str, Any]:
    return {"value": f.value, "unit": f.unit, "scale": f.scale, "places": places}


def cell_of(f: Fact, places: int) -> dict[str, Any]:
    """The gold of one table cell (``meta.cells``): the fact it shows and its value."""
    return {"fact_ids": [f.fact_id], "metric": f.metric, "fiscal_year": f.fiscal_year,
            **gold_of(f, places)}  # fmt: skip
