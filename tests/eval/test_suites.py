"""The built-in eval suites: TAT-QA, the Enterprise RAG Challenge and the general set.

TAT-QA and ERC are read in place from ../shared/data (never copied); the ERC test ingests the
15 reports its 18 questions cite into a temporary folder once per module (~20 s on 2 cores).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from domainsft.eval import match_answer, parse_gold
from domainsft.eval.suites import SUITES, load_suite, suite_options
from domainsft.eval.suites.erc import load_erc
from domainsft.eval.suites.general import GENERAL_SET, load_general
from domainsft.eval.suites.tatqa import load_tatqa
from domainsft.utils.jsonl import InputError
from tests.conftest import shared_or_skip

REPLAY = Path(__file__).resolve().parents[2] / "src/domainsft/dataset/general_prompts.jsonl"
# The numeric matcher reads a bare 1900-2099 in running text as a year (a locator, never the
# answer), so a gold that lists several years ("2019; 2018") cannot be matched by any output.
YEAR = re.compile(r"(?:19|20)\d{2}")


# ------------------------------------------------------------------------------------ registry


def test_registry_names_the_three_suites():
    assert set(SUITES) == {"tatqa", "erc", "general"}
    assert {"limit", "pages", "top_k", "max_chars"} <= set(suite_options("erc"))


def test_unknown_suite_lists_the_valid_ones():
    with pytest.raises(InputError, match=r"unknown eval suite 'mmlu'.*tatqa, erc, general"):
        load_suite("mmlu")


def test_unknown_option_is_named_with_a_close_match():
    with pytest.raises(InputError, match=r"no option `top_kk`.*did you mean `top_k`"):
        load_suite("erc", top_kk=3)
    with pytest.raises(InputError, match="general suite has no option `pages`"):
        load_suite("general", pages="x")


def test_text_options_become_numbers():
    assert len(load_suite("general", limit="7")) == 7
    with pytest.raises(InputError, match="`limit` must be a whole number"):
        load_suite("general", limit="seven")


# ------------------------------------------------------------------------------------- general


def _printed(rec: dict) -> str:
    if isinstance(rec["answer"], bool):
        return {"en": "Yes" if rec["answer"] else "No", "zh": "是" if rec["answer"] else "否"}[
            rec["lang"]
        ]
    return f"{rec['answer']}{rec.get('unit', '')}"


def test_general_set_shape_and_golds():
    items = load_general()
    assert len(items) == 100
    assert Counter(i.lang for i in items) == {"zh": 50, "en": 50}
    assert len({i.id for i in items}) == 100
    assert len({i.family for i in items}) >= 8
    records = [json.loads(line) for line in GENERAL_SET.read_text(encoding="utf-8").splitlines()]
    for item, rec in zip(items, records, strict=True):
        gold = parse_gold(item.gold, item.id)
        answer = rec["answer"]
        want = "boolean" if isinstance(answer, bool) else "number" if _is_number(answer) else "text"
        assert gold.kind == want, (item.id, gold.kind)
        assert item.prompt[0]["role"] == "system" and item.question == rec["question"]
        for output in (_printed(rec), item.reference):
            assert match_answer(output, gold).verdict == "correct", (item.id, output)


def _is_number(text: str) -> bool:
    return re.fullmatch(r"-?\d+(?:\.\d+)?", text) is not None


def test_general_set_asks_for_the_short_answer():
    for item in load_general():
        asks = ("only", "Answer yes or no", "只回答", "格式回答")
        assert any(a in item.question for a in asks), item.id


def _grams(text: str) -> set[str]:
    t = re.sub(r"\W+", "", text.lower())
    return {t[i : i + 3] for i in range(len(t) - 2)}


def test_general_set_does_not_overlap_the_replay_prompts():
    replay = [
        json.loads(line)["prompt"] for line in REPLAY.read_text(encoding="utf-8").splitlines()
    ]
    worst = 0.0
    for item in load_general():
        q = _grams(item.question)
        for prompt in replay:
            p = _grams(prompt)
            worst = max(worst, len(q & p) / len(q | p))
            assert item.question.strip() != prompt.strip()
    print(f"general set vs replay prompts: highest character-trigram Jaccard {worst:.2f}")
    assert worst < 0.5


def test_general_filters_by_language_and_rejects_bad_lines(tmp_path):
    assert {i.lang for i in load_general(lang="zh")} == {"zh"}
    with pytest.raises(InputError, match="lang 'fr'"):
        load_general(lang="fr")
    bad = tmp_path / "set.jsonl"
    bad.write_text('{"id": "a", "category": "x", "lang": "en", "question": "q?"}\n')
    with pytest.raises(InputError, match=r"set\.jsonl:1: no answer"):
        load_general(bad)


# --------------------------------------------------------------------------------------- tatqa


@pytest.fixture(scope="module")
def tatqa_path():
    return shared_or_skip("qa", "tatqa", "tatqa_dataset_dev.json")


def test_tatqa_one_item_per_dev_question(tatqa_path):
    docs = json.loads(tatqa_path.read_text(encoding="utf-8"))
    items = load_tatqa()
    assert len(items) == sum(len(d["questions"]) for d in docs) == 1668
    first = items[0]
    assert [m["role"] for m in first.prompt] == ["system", "user"]
    assert "| Fixed Price | $ 1,452.4 |" in first.question and "Question:" in first.question
    assert first.lang == "en" and first.family == "span"
    assert set(first.meta) >= {"derivation", "answer_from", "scale"}
    assert {i.family for i in items} == {"span", "multi-span", "arithmetic", "count"}


def test_tatqa_scale_becomes_the_gold_unit(tatqa_path):
    items = {i.id: i for i in load_tatqa()}
    total_sales = items["4960801d-277d-4f79-8eca-c4d0200fa9d6"]  # "$1,496.5", scale million
    assert total_sales.gold["unit"] == "million"
    assert match_answer("$1,496.5 million", parse_gold(total_sales.gold, "t")).verdict == "correct"
    assert match_answer("$1,496.5", parse_gold(total_sales.gold, "t")).verdict == "wrong"
    multi = items["593c4388-5209-4462-8b83-b429c8612c25"]
    assert multi.gold["answer"] == ["fixed-price type", "cost-plus type", "time-and-material type"]
    assert "unit" not in multi.gold


def test_tatqa_golds_match_their_own_answer_text(tatqa_path):
    """Every gold parses, and its answer printed as a model should print it (with the scale)
    scores correct, except where the gold lists several years (see YEAR above)."""
    items = load_tatqa()
    verdicts = {i.id: match_answer(i.reference, parse_gold(i.gold, i.id)).verdict for i in items}
    wrong = [i for i in items if verdicts[i.id] != "correct"]
    year_lists = [i for i in wrong if _all_years(i.gold["answer"])]
    rate = 1 - len(wrong) / len(items)
    others = [i for i in items if not _all_years(i.gold["answer"])]
    rate_others = 1 - (len(wrong) - len(year_lists)) / len(others)
    print(
        f"TAT-QA dev: {rate:.2%} of {len(items)} golds match their answer text; "
        f"{rate_others:.2%} without the {len(year_lists)} multi-year lists"
    )
    assert [(i.id, i.reference) for i in wrong if i not in year_lists] == []
    assert rate_others >= 0.99
    assert len(year_lists) <= 61  # 60 lists of years + one of years and "Thereafter"


def _all_years(answer) -> bool:
    spans = answer if isinstance(answer, list) else [answer]
    return len(spans) > 1 and sum(bool(YEAR.fullmatch(str(s))) for s in spans) >= len(spans) - 1


def test_tatqa_max_chars_cuts_paragraphs_not_the_table(tatqa_path):
    items = load_tatqa(limit=20, max_chars=400)
    assert len(items) == 20
    cut = [i for i in items if i.meta["truncated"]]
    assert cut
    for item in cut:
        table = item.question.split("\n\nText:\n")[0]
        assert table.count("|") > 4 and "Question:" in item.question


# ----------------------------------------------------------------------------------------- erc


def test_erc_without_pages_says_how_to_ingest():
    shared_or_skip("qa", "erc_round2", "answers_on_shipped_pdfs.json")
    with pytest.raises(InputError, match=r"domainsft ingest .*option `pages`"):
        load_suite("erc")


def test_erc_pages_file_without_the_report_is_named(tmp_path):
    shared_or_skip("reports", "en", "erc")
    pages = tmp_path / "pages.jsonl"
    pages.write_text(json.dumps({"doc_id": "x", "source": "a.pdf", "page": 1, "text": "t"}) + "\n")
    with pytest.raises(InputError, match=r"holds no pages of report\(s\) .*\.pdf"):
        load_erc(pages=pages)


@pytest.fixture(scope="module")
def erc_pages(erc_corpus):
    return erc_corpus / "pages.jsonl"


@pytest.mark.slow
def test_erc_items_over_retrieved_pages(erc_pages):
    answers = json.loads(
        shared_or_skip("qa", "erc_round2", "answers_on_shipped_pdfs.json").read_text()
    )
    items = load_suite("erc", pages=str(erc_pages))
    assert len(items) == len(answers) == 18
    for item, raw in zip(items, answers, strict=True):
        assert item.question.count("[p. ") == 3 and item.question.endswith(raw["question"])
        raw_pages = [int(ref.split(":")[1]) for pool in raw["reference_pools"] for ref in pool]
        assert sorted(p for _, p in item.meta["pages"]) == sorted({p + 1 for p in raw_pages})
        assert all(
            ref.split(":")[0] in item.meta["doc_ids"] for p in item.gold["pages"] for ref in p
        )
        assert len(item.meta["doc_ids"][0]) == 64  # sha256, not the challenge's sha1
        gold = parse_gold(item.gold, item.id)
        assert match_answer(item.reference, gold, mode="erc").verdict == "correct", item.id
    kinds = Counter(i.family for i in items)
    assert kinds == {"number": 10, "boolean": 5, "names": 3}
    hits = sum(i.meta["retrieval_hit"] for i in items)
    print(f"ERC retrieval: a gold page in the top 3 for {hits} of {len(items)} questions")
    assert hits > 0
    assert len(load_suite("erc", pages=erc_pages, top_k="1", limit=2)[0].meta["retrieved"]) == 1
