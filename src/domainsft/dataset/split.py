"""Split by company: all reports of one company go to one split.

Splitting by document alone would leak: the 2023 report prints the 2022 figures as its
comparative column, which are the 2022 report's own figures. Grouping by company keeps every
document (and every figure) in exactly one split. Companies are ordered by a seeded hash and
the first ones go to test, then val; a share > 0 always gets at least one company when there
are three or more. ``dataset.test_sources`` names the test companies instead, by their reports'
paths (real reports held out of a run that trains on others).
"""

from __future__ import annotations

from domainsft.dataset.render import rng_for
from domainsft.records import Example


def assign(companies: list[str], val_share: float, test_share: float, seed: int) -> dict[str, str]:
    order = sorted(set(companies), key=lambda c: (rng_for(seed, "split", c).random(), c))
    n = len(order)
    n_test, n_val = _count(n, test_share), _count(n, val_share)
    out = {}
    for i, company in enumerate(order):
        out[company] = "test" if i < n_test else "val" if i < n_test + n_val else "train"
    return out


def _count(n: int, share: float) -> int:
    if share <= 0 or n < 3:
        return 0
    return max(1, round(n * share))


def split(
    examples: list[Example],
    val_share: float,
    test_share: float,
    seed: int,
    test_companies: set[str] | None = None,
) -> dict:
    """``{"train": [...], "val": [...], "test": [...]}``, each sorted by id. ``test_companies``
    (``dataset.test_sources``): the test split is theirs, the other companies go to train
    and val."""
    # Companies with no report (unknown-company negatives) are split among themselves, so
    # that a test share never goes to them alone.
    real = [ex.meta["company"] for ex in examples if ex.meta["doc_ids"]]
    unreal = [ex.meta["company"] for ex in examples if not ex.meta["doc_ids"]]
    where = assign(unreal, val_share, test_share, seed)
    if test_companies:
        rest = [c for c in real if c not in test_companies]
        where |= assign(rest, val_share, 0.0, seed) | dict.fromkeys(test_companies, "test")
    else:
        where |= assign(real, val_share, test_share, seed)
    out: dict[str, list[Example]] = {"train": [], "val": [], "test": []}
    for ex in examples:
        ex.meta["split"] = where[ex.meta["company"]]
        # A comparison of companies in two splits would put a report in both: left out (the
        # builder counts it in stats.json as `cross_split_dropped`).
        if any(where[c] != ex.meta["split"] for c in ex.meta.get("companies", [])):
            continue
        out[ex.meta["split"]].append(ex)
    for part in out.values():
        part.sort(key=lambda ex: ex.id)
    return out
