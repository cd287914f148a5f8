"""Dataset examples become eval items whose gold their own reference answers satisfy."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from domainsft.eval import match_answer, parse_gold
from domainsft.eval.items import PageTexts, gold_from_meta, items_from_examples
from domainsft.utils.jsonl import InputError


def test_reference_answers_score_correct_on_every_split(built):
    """The gold derived from meta and the scorer agree with the dataset's own answers: every
    family with a single answer (claims, refusals, stock codes, signed growth included)."""
    _, out = built
    verdicts: Counter[tuple[str, str]] = Counter()
    for split in ("train", "val", "test"):
        for item in items_from_examples(out / f"{split}.jsonl"):
            if item.gold is None:
                assert item.family in {"multi", "trend", "compare", "summary"}
                continue
            m = match_answer(item.reference, parse_gold(item.gold, item.id))
            verdicts[(item.family, m.verdict)] += 1
            assert m.verdict == "correct", (item.family, item.gold, m, item.reference)
    families = {f for f, _ in verdicts}
    assert {"lookup", "derived", "yoy", "claim", "negative", "info"} <= families


def test_gold_from_meta_shapes():
    base = {"lang": "en", "pages": [["d1", 4]]}
    money = gold_from_meta(
        "a",
        base | {"gold": {"value": "795100000", "unit": "USD", "scale": "millions", "places": 1}},
    )
    assert money == {"id": "a", "pages": ["d1:4"], "answer": "$795.1 million", "decimals": 1}
    zh = gold_from_meta(
        "b",
        {
            "lang": "zh",
            "gold": {"value": "1175301034.32", "unit": "CNY", "scale": "亿元", "places": 2},
        },
    )
    assert zh["answer"] == "11.75亿元"
    code = gold_from_meta("c", base | {"gold": {"value": "688070", "unit": "text", "places": 0}})
    assert code["type"] == "text" and parse_gold(code, "c").kind == "text"
    assert gold_from_meta("d", base | {"is_negative": True}) == {"id": "d", "answer": "N/A"}
    assert gold_from_meta("e", base | {"family": "claim", "claim_true": False})["answer"] is False
    assert gold_from_meta("f", base | {"family": "multi", "gold": None}) is None


def test_bad_examples_name_file_line_and_fix(tmp_path):
    path = tmp_path / "test.jsonl"
    good = {
        "id": "x",
        "messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}],
    }
    path.write_text(
        json.dumps(good)
        + "\n"
        + json.dumps({"id": "y", "messages": [{"role": "user", "content": "q"}]})
        + "\n"
    )
    with pytest.raises(InputError, match=r"test.jsonl:2: the last message is 'user'"):
        items_from_examples(path)
    path.write_text(json.dumps({"messages": good["messages"]}) + "\n")
    with pytest.raises(InputError, match=r"test.jsonl:1: no \"id\""):
        items_from_examples(path)
    path.write_bytes(b'{"id": "\xb2\xe2"}\n')
    with pytest.raises(InputError, match=r"test.jsonl:1: not UTF-8"):
        items_from_examples(path)
    replay = good | {"meta": {"is_replay": True}}
    path.write_text(json.dumps(replay) + "\n")
    with pytest.raises(InputError, match="no examples to evaluate"):
        items_from_examples(path)


def test_page_texts_from_a_corpus(corpus):
    pages = PageTexts.load(corpus)
    assert len(pages) > 10
    (doc, page), text = next(iter(pages.texts.items()))
    assert pages.get(doc, page) == text and page >= 1
    with pytest.raises(InputError, match="no pages file"):
        PageTexts.load(corpus / "nowhere")
