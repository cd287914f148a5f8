"""Self-training keeps only answers whose figures and citations verify against the facts."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from domainsft.corpus import load_facts
from domainsft.eval.items import items_from_examples
from domainsft.eval.pseudo_label import (
    Question,
    company_facts,
    pseudo_label,
    read_questions,
    verify,
)
from domainsft.utils.jsonl import InputError


@pytest.fixture(scope="module")
def reference_items(built):
    _, out = built
    return items_from_examples(out / "test.jsonl") + items_from_examples(out / "train.jsonl")


def test_reference_answers_verify(corpus, reference_items):
    facts = load_facts(corpus)
    kept = Counter()
    for item in reference_items:
        if item.family in ("lookup", "multi", "trend", "yoy"):
            v = verify(item.reference, company_facts(item.question, facts), item.question)
            kept[v.kept] += 1
            assert v.kept, (item.reference, v.reason)
            assert v.fact_ids and v.pages
    assert kept[True] >= 20


def test_a_changed_figure_or_citation_is_rejected(corpus, reference_items):
    facts = load_facts(corpus)
    item = next(
        i for i in reference_items if i.family == "lookup" and i.gold["answer"].startswith("$")
    )
    mine = company_facts(item.question, facts)
    bumped = item.reference.replace(item.gold["answer"], "$123,456.7 million")
    assert bumped != item.reference
    assert verify(bumped, mine, item.question).reason.startswith("figure")
    uncited = re.sub(r"\s*\([^()]*p\. \d+\)", "", item.reference)
    assert verify(uncited, mine, item.question).reason == "no page cited"
    stray = re.sub(r"p\. (\d+)", "p. 999", item.reference)
    assert "cites page 999" in verify(stray, mine, item.question).reason
    assert verify("I cannot answer.", mine, item.question).reason == "no figure"
    assert "no facts" in verify(item.reference, [], item.question).reason


def test_pseudo_label_writes_examples_rejects_and_stats(corpus, reference_items, tmp_path):
    facts = load_facts(corpus)
    items = [i for i in reference_items if i.family == "lookup"][:3]
    questions = [Question(i.id, i.prompt, f"q.jsonl:{n}") for n, i in enumerate(items, 1)]
    answers = [items[0].reference, items[1].reference, "It is 12345."]
    stats = pseudo_label(questions, answers, facts, tmp_path)
    assert stats == {"questions": 3, "kept": 2, "rejected": 1, "reasons": {"figure": 1}}
    kept = [json.loads(x) for x in (tmp_path / "pseudo_labeled.jsonl").read_text().splitlines()]
    assert kept[0]["messages"][-1] == {"role": "assistant", "content": items[0].reference}
    assert kept[0]["meta"]["pseudo_label"] is True and kept[0]["meta"]["pages"]
    reject = json.loads((tmp_path / "rejects.jsonl").read_text())
    assert reject["where"] == "q.jsonl:3" and "12345" in reject["reason"]


def test_questions_file_errors(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text('{"id": "a", "question": "What was revenue?"}\n{"id": "b"}\n')
    with pytest.raises(InputError, match=r"q.jsonl:2: no question"):
        read_questions(path)
    path.write_text('{"question": "x"}\n')
    with pytest.raises(InputError, match=r"q.jsonl:1: no \"id\""):
        read_questions(path)
    turns = [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]
    path.write_text(json.dumps({"id": 1, "messages": turns}) + "\n")
    assert read_questions(path)[0].prompt == [{"role": "user", "content": "q"}]
