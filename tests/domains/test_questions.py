"""The question cues of the finance domain pack (questions.yaml) load, compile and match whole
words only."""

from __future__ import annotations

from domainsft.domains.finance import metrics
from domainsft.domains.finance.questions import (
    LANGS,
    fold,
    patterns,
    phrase_pattern,
    questions,
    section,
    words,
)


def test_every_section_loads_and_every_regex_compiles() -> None:
    raw = questions()
    for key in ("years.span", "decimals", "units"):
        for lang in LANGS:
            assert patterns(key, lang), f"{key}.{lang} is empty"
    for name in raw["operations"]:
        assert all(words(f"operations.{name}", lang) for lang in LANGS), name


def test_synonyms_name_metrics_of_the_taxonomy() -> None:
    assert set(section("metric_synonyms")) <= set(metrics())


def test_english_phrases_match_whole_words_only() -> None:
    pattern = phrase_pattern(("vs", "growth"))
    assert pattern is not None
    assert pattern.search(fold("2019 VS 2018")) and pattern.search(fold("revenue growth"))
    assert not pattern.search("canvas") and not pattern.search("growths")
    zh = phrase_pattern(("同比",))
    assert zh is not None and zh.search("营业收入同比增长")


def test_fold_keeps_offsets() -> None:
    text = "ＲＯＥ（期末）是多少？ Ｎｅｔ"
    assert len(fold(text)) == len(text) and fold(text).startswith("roe(期末)")
