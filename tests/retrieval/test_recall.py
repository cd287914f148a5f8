"""Measured recall, the kernel's acceptance: ERC round 2 and the dataset builder's questions.

The ERC test reads the 15 reports its 18 questions cite (the session's ``erc_corpus``); the
sample test builds 12 small sample reports with facts and a dataset (2 companies x 2 languages
x 3 years).
"""

from __future__ import annotations

import time

import pytest

from domainsft.config import (
    DatasetConfig,
    FactsConfig,
    IngestConfig,
    RedactConfig,
    SamplesConfig,
)


@pytest.fixture(scope="module")
def erc_pages(erc_corpus):
    return erc_corpus / "pages.jsonl"


@pytest.mark.slow
def test_erc_gold_page_in_the_top_3_for_16_of_18(erc_pages):
    from domainsft.eval.suites import load_suite

    items = load_suite("erc", pages=str(erc_pages))
    missed = [
        i.question.rsplit("Question: ", 1)[1][:70] for i in items if not i.meta["retrieval_hit"]
    ]
    hits = len(items) - len(missed)
    print(f"ERC retrieval: a gold page in the top 3 for {hits} of {len(items)}; missed {missed}")
    assert len(items) == 18 and hits >= 16


@pytest.fixture(scope="module")
def sample_dataset(tmp_path_factory):
    from domainsft.dataset import build
    from domainsft.facts import extract
    from domainsft.ingest.pipeline import ingest
    from domainsft.samples import generate

    root = tmp_path_factory.mktemp("retrieval_samples")
    reports, corpus = root / "reports", root / "corpus"
    generate(SamplesConfig(out=reports, companies=2, years="2021-2023", lang="both",
                           scanned_pages=0, seed=3))  # fmt: skip
    ingest([reports], IngestConfig(out=corpus, workers=2, ocr="never",
                                   redact=RedactConfig(enabled=False)))  # fmt: skip
    extract(corpus, FactsConfig(out=corpus / "facts.jsonl"))
    result = build(corpus, corpus / "facts.jsonl", DatasetConfig(out=root / "d", replay_share=0.0))
    return corpus, result


@pytest.mark.slow
def test_the_page_of_the_asked_figure_is_in_the_top_3_for_98_percent(sample_dataset):
    from domainsft.corpus import load_facts
    from domainsft.retrieval import PageIndex
    from domainsft.retrieval.recall import page_recall

    corpus, result = sample_dataset
    index = PageIndex.open(corpus)
    start = time.perf_counter()
    examples = [e for split in result.splits.values() for e in split]
    recall = page_recall(index, examples, load_facts(corpus))
    ms = 1000 * (time.perf_counter() - start) / recall.searches
    for family in sorted(recall.total):
        figure, strict = recall.rate("figure", family), recall.rate("strict", family)
        print(
            f"{family:9s} {recall.total[family]:5d} pages  figure {figure:.2%}  strict {strict:.2%}"
        )
    print(f"{family:9s} {recall.total[family]:5d} pages  figure {recall.rate('figure', family):.2%}"
              f"  strict {recall.rate('strict', family):.2%}")  # fmt: skip
    print(
        f"all: figure {recall.rate():.2%}, strict {recall.rate('strict'):.2%}, {ms:.2f} ms/search"
    )
    assert sum(recall.total.values()) > 1000
    assert recall.rate() >= 0.98
