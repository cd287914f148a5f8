"""Feedback logs of ``domainsft serve`` -> SFT examples: a correction that verifies is kept with
the prompt the model saw, a wrong figure is rejected with its reason, the rating rules, skipped
negatives, duplicates, the latest feedback per response, a torn line reported by its line
number while the rest is read, and examples about held-out companies kept out of train."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from domainsft.cli import app
from domainsft.config import FeedbackConfig
from domainsft.corpus import load_facts
from domainsft.dataset import build, feedback
from domainsft.dataset.render import value_text
from domainsft.records import Fact
from tests.dataset.conftest import dataset_config


def _revenue(corpus: Path, split: str) -> Fact:
    """A current-year consolidated revenue fact of a zh company the split puts in ``split``."""
    facts = load_facts(corpus)
    where = feedback.company_splits(facts, 0.1, 0.1, 0)
    return next(
        f
        for f in facts
        if f.metric == "revenue" and f.lang == "zh" and f.fiscal_year == f.report_year
        and f.scope != "parent" and where[f.company] == split
    )  # fmt: skip


def _question(f: Fact) -> str:
    return f"{f.company_short}{f.fiscal_year}年的营业收入是多少？"


def _right(f: Fact) -> str:
    """The right figure, as printed in its scale, with its page."""
    return f"{f.company_short}{f.fiscal_year}年营业收入为{value_text(f, 'zh')}（第{f.page}页）。"


def _short(f: Fact) -> str:
    """The right figure in other words: another answer to the same prompt."""
    return f"营业收入为{value_text(f, 'zh')}（第{f.page}页）"


def _record(f: Fact, rid: str, rating: int, correction: str | None = None, **kw: Any) -> dict:
    """One line as the server's feedback route writes it for a grounded answer."""
    question = _question(f)
    prompt = [
        {"role": "system", "content": "你是年报分析师。只依据摘录作答。"},
        {"role": "user", "content": f"<<<年报摘录开始>>>\n[第{f.page}页]\n{f.evidence}\n"
                                    f"<<<年报摘录结束>>>\n\n问题：{question}"},
    ]  # fmt: skip
    return {
        "response_id": rid, "rating": rating, "correction": correction, "comment": None,
        "received": "2025-01-01T00:00:00Z", "version": "v1", "question": question,
        "answer": _right(f), "messages": [{"role": "user", "content": question}],
        "prompt": prompt, "model_answer": "…", "citations": [], "numbers": [],
        "verified": True, "abstained": False,
    } | kw  # fmt: skip


def _log(path: Path, *rows: dict | str) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _collect(corpus: Path, log: Path, **cfg: Any) -> feedback.Collected:
    return feedback.collect([log], corpus, load_facts(corpus), FeedbackConfig(**cfg))


def test_a_correction_that_verifies_is_kept_with_the_prompt_the_model_saw(corpus, tmp_path):
    f = _revenue(corpus, "train")
    rec = _record(f, "r1", -1, _right(f), answer="营业收入为1.00亿元。")
    got = _collect(corpus, _log(tmp_path / "fb.jsonl", rec))
    (ex,) = got.examples
    assert ex.messages == [*rec["prompt"], {"role": "assistant", "content": _right(f)}]
    m = ex.meta
    assert (m["source"], m["feedback"], m["response_id"], m["version"], m["rating"]) == (
        "feedback", "correction", "r1", "v1", -1)  # fmt: skip
    assert m["grounded"] and m["company"] == f.company and m["lang"] == "zh"
    assert [f.doc_id, f.page] in m["pages"] and m["original_answer"] == "营业收入为1.00亿元。"
    assert {x["status"] for x in m["figures"]} == {"verified"}
    assert m["log"] == f"{tmp_path / 'fb.jsonl'}:1" and not got.rejects


def test_a_correction_with_a_wrong_figure_is_rejected_with_its_reason(corpus, tmp_path):
    f = _revenue(corpus, "train")
    wrong = f"{f.company_short}{f.fiscal_year}年营业收入为1.00亿元（第{f.page}页）。"
    got = _collect(corpus, _log(tmp_path / "fb.jsonl", _record(f, "r1", 1, wrong)))
    assert not got.examples
    (rej,) = got.rejects
    assert rej["reason"] == "figure contradicts the reports" and rej["response_id"] == "r1"
    assert rej["source"].endswith("fb.jsonl:1") and rej["text"] == wrong
    assert "figure 1.00亿元 contradicts" in rej["detail"] and f"(p. {f.page})" in rej["detail"]
    assert got.stats([])["rejected_by_reason"] == {"figure contradicts the reports": 1}


def test_a_correction_without_any_figure_is_rejected_unless_allowed(corpus, tmp_path):
    f = _revenue(corpus, "train")
    log = _log(tmp_path / "fb.jsonl", _record(f, "r1", 1, "请参阅年报。"))
    assert _collect(corpus, log).rejects[0]["reason"] == "no figure to verify"
    assert len(_collect(corpus, log, require_figures=False).examples) == 1


@pytest.mark.parametrize(
    ("rating", "scale", "verdict"),
    [
        (1, "thumbs", "good"), (0, "thumbs", "neutral"), (-1, "thumbs", "bad"),
        (4, "thumbs", "off-scale"), (5, "stars", "good"), (4, "stars", "good"),
        (3, "stars", "neutral"), (2, "stars", "bad"), (1, "stars", "bad"),
        (0, "stars", "off-scale"), (1, "mixed", "ambiguous"), (-1, "mixed", "bad"),
        (5, "mixed", "good"),
    ],
)  # fmt: skip
def test_the_rating_rule(rating, scale, verdict):
    assert feedback.judge(rating, scale) == verdict


def test_good_ratings_keep_verified_answers_and_only_those(corpus, tmp_path):
    f = _revenue(corpus, "train")
    rows = [
        _record(f, "good", 1),
        _record(f, "unverified", 1, verified=False, answer="约49亿元。"),
        _record(f, "abstained", 1, abstained=True, answer="报告未披露。"),
        _record(f, "plain", 1, prompt=[{"role": "user", "content": "hi"}], verified=None),
    ]
    got = _collect(corpus, _log(tmp_path / "fb.jsonl", *rows))
    (ex,) = got.examples
    assert ex.meta["feedback"] == "rating" and ex.meta["response_id"] == "good"
    assert ex.messages[-1] == {"role": "assistant", "content": _right(f)}
    assert got.stats([])["skipped_good_not_verified"] == 3
    off = _collect(corpus, _log(tmp_path / "fb.jsonl", rows[0]), rated_answers=False)
    assert not off.examples and off.stats([])["skipped_good_rated_answers_off"] == 1


def test_stars_logs_read_as_stars_and_mixed_logs_skip_an_ambiguous_one(corpus, tmp_path):
    f = _revenue(corpus, "train")
    stars = _log(tmp_path / "stars.jsonl", _record(f, "a", 1), _record(f, "b", 3))
    s = _collect(corpus, stars).stats([])
    assert (s["kept"], s["skipped_negative"], s["skipped_neutral"]) == (0, 1, 1)
    mixed = _log(tmp_path / "mixed.jsonl", _record(f, "a", 1), _record(f, "b", -1),
                 _record(f, "c", 5, answer=_short(f)))  # fmt: skip
    m = _collect(corpus, mixed).stats([])
    assert (m["kept"], m["skipped_ambiguous_rating"], m["skipped_negative"]) == (1, 1, 1)


def test_negatives_without_a_correction_are_counted_not_kept(corpus, tmp_path):
    f = _revenue(corpus, "train")
    rows = [_record(f, "n1", -1), _record(f, "n2", 0), _record(f, "n3", -1, _right(f))]
    got = _collect(corpus, _log(tmp_path / "fb.jsonl", *rows))
    s = got.stats([])
    assert (s["skipped_negative"], s["skipped_neutral"], s["kept"]) == (1, 1, 1)
    assert got.examples[0].meta["response_id"] == "n3"  # a correction counts, whatever the rating


def test_duplicates_are_kept_once_and_the_latest_feedback_wins(corpus, tmp_path):
    f = _revenue(corpus, "train")
    rows = [
        _record(f, "a", 1, _right(f)),
        _record(f, "b", 1, _right(f), received="2025-01-02T00:00:00Z"),  # same prompt + answer
        _record(f, "c", 1, received="2025-01-03T00:00:00Z"),
        _record(f, "c", -1, received="2025-01-04T00:00:00Z"),  # changed its mind: not good
    ]
    got = _collect(corpus, _log(tmp_path / "fb.jsonl", *rows))
    s = got.stats([])
    assert (s["kept"], s["duplicates"], s["superseded"], s["skipped_negative"]) == (1, 1, 1, 1)
    assert got.examples[0].meta["response_id"] == "b"  # the later of the two duplicates


def test_a_bad_line_is_reported_by_its_number_and_the_rest_is_read(corpus, tmp_path):
    f = _revenue(corpus, "train")
    log = _log(tmp_path / "fb.jsonl", _record(f, "a", 1, _right(f)), '{"response_id": "b", "ra',
               json.dumps({"response_id": "c", "rating": 9}),
               json.dumps(_record(f, "d", 1, answer=_short(f)), ensure_ascii=False))  # fmt: skip
    got = _collect(corpus, log)
    assert {ex.meta["response_id"] for ex in got.examples} == {"a", "d"}
    bad = {r["source"].rsplit(":", 1)[1]: r for r in got.rejects}
    assert (
        bad["2"]["reason"] == "unreadable line" and "fb.jsonl:2: invalid JSON" in bad["2"]["detail"]
    )
    assert bad["3"]["reason"] == "not a feedback record" and "`rating`" in bad["3"]["detail"]
    assert got.stats([])["lines"] == 4


def test_build_adds_feedback_to_train_and_holds_out_val_test_companies(corpus, tmp_path):
    kept, held = _revenue(corpus, "train"), _revenue(corpus, "val")
    log = _log(tmp_path / "fb.jsonl", _record(kept, "a", 1, _right(kept)),
               _record(held, "b", 1, _right(held)), _record(kept, "c", -1))  # fmt: skip
    out = tmp_path / "ds"
    result = build(corpus, corpus / "facts.jsonl", dataset_config(out, feedback={"files": [log]}))
    train_ids = [ex.meta.get("response_id") for ex in result.splits["train"]]
    assert "a" in train_ids and "b" not in train_ids
    assert not any(ex.meta["family"] == "feedback" for s in ("val", "test")
                   for ex in result.splits[s])  # fmt: skip
    heldout = [json.loads(x) for x in (out / "feedback_heldout.jsonl").read_text().splitlines()]
    assert [h["meta"]["response_id"] for h in heldout] == ["b"]
    assert heldout[0]["meta"]["split"] == "val"
    s = json.loads((out / "stats.json").read_text())["feedback"]
    assert (s["kept"], s["train"], s["held_out"], s["skipped_negative"]) == (2, 1, 1, 1)
    assert (out / "feedback_rejects.jsonl").read_text() == ""
    assert "feedback" in (out / "card.md").read_text()


def test_cli_feedback_only_writes_train_and_the_rejects(corpus, tmp_path):
    f = _revenue(corpus, "train")
    wrong = f"{f.company_short}{f.fiscal_year}年营业收入为1.00亿元（第{f.page}页）。"
    log = _log(tmp_path / "fb.jsonl", _record(f, "a", 1, _right(f)), _record(f, "b", 1, wrong))
    out = tmp_path / "fb_only"
    res = CliRunner().invoke(app, ["build-dataset", "--corpus", str(corpus), "--feedback",
                                   str(log), "--feedback-only", "--out", str(out),
                                   "--set", "dataset.replay_share=0"])  # fmt: skip
    assert res.exit_code == 0, res.output
    said = " ".join(res.output.split())
    assert "1 kept" in said and "1 rejected (1 figure contradicts the reports)" in said
    assert not (out / "val.jsonl").exists() and not (out / "test.jsonl").exists()
    (line,) = (out / "train.jsonl").read_text().splitlines()
    assert json.loads(line)["meta"]["source"] == "feedback"
    rejects = [json.loads(x) for x in (out / "feedback_rejects.jsonl").read_text().splitlines()]
    assert [r["response_id"] for r in rejects] == ["b"]
    manifest = json.loads((out / "dataset_manifest.json").read_text())
    assert manifest["inputs"]["feedback"][0]["path"] == str(log)


def test_feedback_only_without_a_log_names_the_flag(corpus, tmp_path):
    res = CliRunner().invoke(app, ["build-dataset", "--corpus", str(corpus), "--feedback-only",
                                   "--out", str(tmp_path / "x")])  # fmt: skip
    assert res.exit_code == 2 and "--feedback" in res.output
