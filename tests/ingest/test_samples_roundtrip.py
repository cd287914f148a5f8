"""Generated reports -> ingest: the ground truth comes back, personal data does not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from domainsft.config import IngestConfig, RedactConfig, SamplesConfig
from domainsft.ingest.pipeline import ingest
from domainsft.redact import PLACEHOLDERS
from domainsft.samples import generate


def _squash(s: str) -> str:
    return "".join(s.split())


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    generate(
        SamplesConfig(
            out=out, companies=2, years="2022-2023", lang="both", scanned_pages=2, seed=11
        )
    )
    facts = [json.loads(x) for x in (out / "truth.jsonl").read_text("utf-8").splitlines()]
    pii = [json.loads(x) for x in (out / "pii.jsonl").read_text("utf-8").splitlines()]
    return out, facts, pii


def _ingest(folder: Path, out: Path, keep: bool = False, ocr: str = "auto") -> dict:
    redact = RedactConfig(keep_disclosed_contacts=keep)
    cfg = IngestConfig(out=out, workers=2, ocr=ocr, redact=redact)
    result = ingest([folder], cfg)
    assert result.rejects == []
    return {(Path(p.source).name, p.page): p for p in result.pages}


@pytest.fixture(scope="module")
def pages(corpus, tmp_path_factory):
    return _ingest(corpus[0], tmp_path_factory.mktemp("corpus"))


def _recovered(facts, pages):
    hits = [f for f in facts if f["printed"] in pages[(f["doc"], f["page"])].text]
    return len(hits) / max(len(facts), 1)


def test_numbers_recovered_on_text_pages(corpus, pages):
    facts = [f for f in corpus[1] if not f["scanned"] and f["unit"] != "text"]
    assert len(facts) > 300
    # Every figure printed on a text page is in that page's text, unchanged.
    assert _recovered(facts, pages) >= 0.99


def test_numbers_recovered_on_scanned_pages(corpus, pages):
    facts = [f for f in corpus[1] if f["scanned"] and f["unit"] != "text"]
    assert len(facts) > 20
    scanned = {(f["doc"], f["page"]) for f in facts}
    assert all(pages[k].flags["ocr"] for k in scanned)
    hits = [f for f in facts if _squash(f["printed"]) in _squash(pages[(f["doc"], f["page"])].text)]
    assert len(hits) / len(facts) >= 0.95


def test_all_planted_personal_data_is_redacted(corpus, pages):
    _, facts, pii = corpus
    assert {p["type"] for p in pii} >= {"id_card", "phone", "bank_card", "email", "uscc"}
    for p in pii:
        page = pages[(p["doc"], p["page"])]
        blob = _squash(page.text + json.dumps(page.tables, ensure_ascii=False))
        assert _squash(p["value"]) not in blob, p
    redacted = sum(sum(p.redactions.values()) for p in pages.values())
    assert redacted >= len(pii)
    # ... and no financial figure was taken for personal data.
    for f in facts:
        if f["unit"] != "text" and not f["scanned"]:
            assert f["printed"] in pages[(f["doc"], f["page"])].text, f


def test_disclosed_contacts_kept_on_request(corpus, tmp_path):
    out, _, pii = corpus
    pages = _ingest(out, tmp_path, keep=True, ocr="never")  # only text pages are checked here
    text_pii = [p for p in pii if not p["scanned"]]
    for p in text_pii:
        page = pages[(p["doc"], p["page"])]
        present = _squash(p["value"]) in _squash(page.text)
        assert present == p["disclosed_contact"], p


def test_placeholders_and_log(pages, corpus):
    texts = "\n".join(p.text for p in pages.values())
    assert all(ph in texts for ph in PLACEHOLDERS.values())
