"""Provenance check: every cited figure is on its cited page, every derived figure recomputes.

For each example that names facts: the fact exists, its page is among the example's pages and
is cited in the answer, its printed string (or its value re-formatted at the printed scale)
occurs in the page text, and the gold value equals the fact's value or, for derived and growth
examples, what ``formulas`` recomputes from the facts named in ``meta`` (read through
``signs.Signs``, the builder's rule for costs printed as negatives). Table answers (trend,
compare, summary) carry ``meta.cells``: each cell's value equals its fact's (or recomputes, for
a growth cell) and is shown on an answer line that cites the cell's page.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from domainsft.dataset.render import places, value_text
from domainsft.dataset.signs import Signs, inputs
from domainsft.domains.finance.formulas import compute, growth
from domainsft.numbers import format_number, from_base
from domainsft.records import Example, Fact, Page
from domainsft.utils.jsonl import InputError, read_jsonl

SPLITS = ("train", "val", "test")


def load_examples(dataset: Path) -> list[Example]:
    out = []
    for name in SPLITS:
        path = dataset / f"{name}.jsonl"
        if not path.exists():
            continue
        for lineno, rec in read_jsonl(path):
            try:
                out.append(Example.from_dict(rec))
            except (KeyError, ValueError) as exc:
                raise InputError(f"{path}:{lineno}: not an example ({exc})") from None
    if not out:
        raise InputError(f"{dataset}: no train/val/test.jsonl; run `domainsft build-dataset`")
    return out


def check_dir(dataset: Path, corpus: Path, facts_path: Path) -> dict[str, Any]:
    from domainsft.dataset.corpus import load_pages
    from domainsft.records import read_facts

    facts = {f.fact_id: f for f in read_facts(facts_path)}
    return check(load_examples(dataset), load_pages(corpus), facts)


def check(
    examples: list[Example], pages: dict[tuple[str, int], Page], facts: dict[str, Fact]
) -> dict[str, Any]:
    """``{"checked", "passed", "failures": [{"id", "reason"}]}`` over the numeric examples."""
    failures = []
    checked = 0
    signs = Signs(facts.values())  # the builder's rule on the same facts
    for ex in examples:
        if not ex.meta.get("fact_ids"):
            continue
        checked += 1
        reason = _first_problem(ex, pages, facts, signs)
        if reason:
            failures.append({"id": ex.id, "reason": reason})
    return {"checked": checked, "passed": not failures, "failures": failures}


def _first_problem(ex: Example, pages: dict, facts: dict[str, Fact], signs: Signs) -> str | None:
    cited = []
    for fid in ex.meta["fact_ids"]:
        f = facts.get(fid)
        if f is None:
            return f"fact {fid} is not in facts.jsonl"
        problem = _on_page(ex, f, pages)
        if problem:
            return problem
        cited.append(f)
    return _gold_problem(ex, cited, signs) or _cells_problem(ex, cited, signs)


def _on_page(ex: Example, f: Fact, pages: dict) -> str | None:
    if [f.doc_id, f.page] not in ex.meta["pages"]:
        return f"fact {f.fact_id}: page {f.page} is not among meta.pages"
    answer = ex.messages[-1]["content"]
    if not re.search(rf"(?<!\d){f.page}(?!\d)", answer):
        return f"fact {f.fact_id}: the answer does not cite page {f.page}"
    page = pages.get((f.doc_id, f.page))
    if page is None:
        return f"fact {f.fact_id}: page {f.page} of {f.doc_id[:12]} is not in the corpus"
    text = " ".join(page.text.split())
    shown = [" ".join(f.printed.split())]
    if f.unit != "text":
        shown.append(format_number(from_base(Decimal(f.value), f.scale), places(f)))
    if not any(s and s in text for s in shown):
        return f"fact {f.fact_id}: {shown[0]!r} does not occur on page {f.page}"
    return None


def _gold_problem(ex: Example, cited: list[Fact], signs: Signs) -> str | None:
    gold = ex.meta.get("gold")
    if gold is None:
        return None
    formula = ex.meta.get("formula")
    if formula is None:
        ok = gold["value"] == cited[0].value
        return None if ok else f"gold {gold['value']} differs from fact {cited[0].value}"
    prior_ids = set(ex.meta.get("prior_fact_ids", []))
    now = [f for f in cited if f.fact_id not in prior_ids]
    before = [f for f in cited if f.fact_id in prior_ids]
    if formula == "growth":
        comp = growth(now[0].metric, signs.value(now[0]), signs.value(before[0]))
    else:
        comp = compute(formula, *inputs(signs, now, before))
    if comp.value is None or comp.value != Decimal(gold["value"]):
        return f"{formula} recomputes to {comp.value}, not {gold['value']}"
    return None


def _cells_problem(ex: Example, cited: list[Fact], signs: Signs) -> str | None:
    by_id = {f.fact_id: f for f in cited}
    lines = ex.messages[-1]["content"].splitlines()
    for cell in ex.meta.get("cells") or []:
        fs = [by_id.get(i) for i in cell["fact_ids"]]
        if not fs or None in fs:
            return f"cell {cell['fact_ids']}: a fact is not among meta.fact_ids"
        if cell.get("formula") == "growth":
            comp = growth(fs[0].metric, signs.value(fs[0]), signs.value(fs[1]))
            if comp.value is None or comp.value != Decimal(cell["value"]):
                return f"growth {fs[0].fact_id}: recomputes to {comp.value}, not {cell['value']}"
            shown, pages = format_number(comp.value, comp.places) + "%", set()
        elif cell["value"] != fs[0].value:
            return f"cell {fs[0].fact_id}: {cell['value']} differs from fact {fs[0].value}"
        else:
            shown, pages = value_text(fs[0], ex.meta["lang"]), {fs[0].page}
        if not any(shown in line and all(_cites(line, p) for p in pages) for line in lines):
            return f"cell {fs[0].fact_id}: {shown!r} is not on an answer line citing its page"
    return None


def _cites(text: str, page: int) -> bool:
    return re.search(rf"(?<!\d){page}(?!\d)", text) is not None
