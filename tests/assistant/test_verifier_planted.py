"""The verifier against planted errors: >= 200 correct reference answers of a sample dataset,
one error planted in each (a digit, the scale, rounding, swapped operands, another year's
figure): every planted figure is caught, and the untouched answers raise no alarm."""

from __future__ import annotations

import json
import random
from collections import Counter

import pytest

from domainsft.assistant.evidence import Evidence, scoped
from domainsft.assistant.verifier import verify
from domainsft.corpus import by_key, load_facts, page_text, read_pages
from domainsft.evidence import Passage
from tests.assistant.planted import KINDS, caught, plant


@pytest.fixture(scope="module")
def cases(corpus, built):
    """(question, reference, evidence, years) of every numeric example of the dataset."""
    _, out = built
    facts, pages = load_facts(corpus), by_key(read_pages(corpus))
    found = []
    for split in ("train", "val", "test"):
        for line in (out / f"{split}.jsonl").read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            m = rec["meta"]
            if m.get("is_replay") or m.get("is_negative") or not m.get("fact_ids"):
                continue
            keys = [(d, p) for d, p in m["pages"] if (d, p) in pages]
            ev = Evidence(
                scoped(facts, m["doc_ids"]), [Passage(*k, page_text(pages[k])) for k in keys]
            )
            used = [f for f in ev.facts if f.fact_id in set(m["fact_ids"])]
            years = sorted({f.fiscal_year for f in used})
            metric = used[0].metric if len({f.metric for f in used}) == 1 else None
            q, ref = rec["messages"][-2]["content"], rec["messages"][-1]["content"]
            found.append((q, ref, ev, years, metric))
    return found


def test_no_false_alarm_on_correct_answers(cases) -> None:
    alarms = [ref for q, ref, ev, years, metric in cases
              if not verify(ref, ev, q, years, metric=metric).verified]  # fmt: skip
    print(f"false alarms: {len(alarms)} of {len(cases)} correct reference answers")
    assert len(cases) >= 200 and len(alarms) <= len(cases) // 100, alarms[:3]


def test_every_planted_error_is_caught(cases) -> None:
    rng = random.Random(0)
    planted, missed = Counter(), []
    for i, (q, ref, ev, years, metric) in enumerate(cases):
        for kind in KINDS[i % len(KINDS) :] + KINDS[: i % len(KINDS)]:  # one per answer
            p = plant(kind, ref, ev, rng)
            if p is not None:
                planted[kind] += 1
                if not caught(p, ev, q, years, metric):
                    missed.append((kind, p.answer))
                break
    print(f"planted {sum(planted.values())} errors {dict(planted)}; missed {len(missed)}")
    assert sum(planted.values()) >= 200 and all(planted[k] >= 10 for k in KINDS), planted
    assert not missed, missed[:3]
