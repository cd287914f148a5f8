"""build-dataset on the sample corpus: families, citations, negatives, split, determinism."""

from __future__ import annotations

import json
import re
from fnmatch import fnmatch
from pathlib import Path

import pytest

from domainsft.dataset import build
from domainsft.dataset.families import FAMILIES
from tests.dataset.conftest import dataset_config

CITE = {
    "zh": re.compile(r"《.+年年度报告》第\d+页"),
    "en": re.compile(r"Annual Report \d{4}, p\. \d+"),
}
# multi and trend name the report once and then cite each figure's page (their own tests in
# test_families_tables.py pin that format)
REPORT_ONCE = {"multi", "trend"}
REPORT = {
    "zh": re.compile(r"年年度报告》|各年年度报告"),
    "en": re.compile(r"[Aa]nnual [Rr]eports?"),
}
PAGE = {"zh": re.compile(r"第\d+页"), "en": re.compile(r"\bp\. \d+")}


def _cites(answer: str, family: str, lang: str) -> bool:
    if family in REPORT_ONCE:
        return bool(REPORT[lang].search(answer) and PAGE[lang].search(answer))
    return bool(CITE[lang].search(answer))


def _all(built):
    result, _ = built
    return [ex for part in result.splits.values() for ex in part]


# `compare` is left out: the fixture's two companies per language fall in different splits, so
# the splitter drops every comparison; tests/dataset/test_families_tables.py covers it.
@pytest.mark.parametrize("family", [f for f in FAMILIES if f not in ("negative", "compare")])
def test_every_family_both_languages_with_citations(built, family):
    examples = [ex for ex in _all(built) if ex.meta["family"] == family]
    for lang in ("zh", "en"):
        mine = [ex for ex in examples if ex.meta["lang"] == lang]
        assert mine, f"{family} made no {lang} examples"
        for ex in mine:
            answer = ex.messages[-1]["content"]
            assert _cites(answer, family, lang), answer
            assert ex.meta["pages"] and ex.meta["fact_ids"]


def test_negative_share_within_bounds(built):
    result, _ = built
    assert 0.05 <= result.stats["negative_share"] <= 0.10
    negatives = [ex for ex in _all(built) if ex.meta["is_negative"]]
    assert {ex.meta["negative_kind"] for ex in negatives} >= {"undisclosed", "wrong_year"}


def test_no_document_in_two_splits(built):
    result, _ = built
    seen: dict[str, str] = {}
    for name, part in result.splits.items():
        for ex in part:
            for doc in ex.meta["doc_ids"]:
                assert seen.setdefault(doc, name) == name
    assert result.splits["train"] and result.splits["test"]


def test_outputs_written(built):
    _, out = built
    for name in ("train", "val", "test"):
        assert (out / f"{name}.jsonl").exists()
        assert (out / "alpaca" / f"{name}.jsonl").exists()
        assert (out / "sharegpt" / f"{name}.jsonl").exists()
    stats = json.loads((out / "stats.json").read_text("utf-8"))
    assert stats["replay_share"] == 0 and stats["length_histogram"]
    assert "Resolved config" in (out / "card.md").read_text("utf-8")
    assert any(ex.meta["with_context"] for ex in _all(built))


def test_same_seed_same_bytes(corpus, built, tmp_path):
    _, out = built
    build(corpus, corpus / "facts.jsonl", dataset_config(tmp_path))
    assert (tmp_path / "train.jsonl").read_bytes() == (out / "train.jsonl").read_bytes()


def test_judgement_questions_carry_disclaimer(built):
    from domainsft.domains.finance.templates import phrase

    judged = [ex for ex in _all(built) if phrase("disclaimer", ex.meta["lang"]) in str(ex.messages)]
    assert judged


def test_test_sources_name_the_test_split_by_the_reports_paths(corpus, tmp_path):
    """Real reports held out of a run: the companies whose report files match go to test, all
    of them and nothing else; a pattern that matches no report is an error that names it."""
    from domainsft.records import read_facts
    from domainsft.utils.jsonl import InputError

    facts = read_facts(corpus / "facts.jsonl")
    held = sorted({f.company for f in facts})[:2]
    files = sorted({Path(f.source).name for f in facts if f.company in held})
    patterns = [f"*/{files[0]}", *{f"*{Path(n).stem[:4]}*" for n in files[1:]}]
    cfg = dataset_config(tmp_path / "ds", test_sources=patterns, val_share=0.0)
    result = build(corpus, corpus / "facts.jsonl", cfg)
    tested = {ex.meta["company"] for ex in result.splits["test"] if ex.meta["doc_ids"]}
    trained = {ex.meta["company"] for ex in result.splits["train"] if ex.meta["doc_ids"]}
    expected = {f.company for f in facts if any(fnmatch(f.source, p) for p in patterns)}
    assert tested == expected and set(held) <= tested
    assert trained and not trained & tested
    with pytest.raises(InputError, match=r"'\*/no_such_report\.pdf' matches none"):
        build(corpus, corpus / "facts.jsonl",
              dataset_config(tmp_path / "bad", test_sources=["*/no_such_report.pdf"]))  # fmt: skip


def test_a_report_facts_could_not_name_gives_no_question(corpus, tmp_path):
    """A real report whose cover names its company only in a logo leaves facts with no
    company; a question about it would read "'s revenue", so the dataset skips the report and
    lists it in stats.json, and builds the rest as before."""
    import shutil

    from domainsft.records import read_facts

    work = tmp_path / "corpus"
    shutil.copytree(corpus, work)
    facts = read_facts(work / "facts.jsonl")
    blank = sorted({f.doc_id for f in facts})[0]
    lines = []
    for f in facts:
        row = f.to_dict()
        if f.doc_id == blank:
            row["company"] = row["company_short"] = ""
        lines.append(json.dumps(row, ensure_ascii=False))
    (work / "facts.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = build(work, work / "facts.jsonl", dataset_config(tmp_path / "ds"))
    examples = [ex for part in result.splits.values() for ex in part]
    assert examples and all(ex.meta["company"] or ex.meta["is_replay"] for ex in examples)
    assert not any(blank in ex.meta["doc_ids"] for ex in examples)
    source = next(f.source for f in facts if f.doc_id == blank)
    assert result.stats["unnamed_reports_skipped"] == [source]
    stats = json.loads((tmp_path / "ds" / "stats.json").read_text(encoding="utf-8"))
    assert stats["unnamed_reports_skipped"] == [source]
