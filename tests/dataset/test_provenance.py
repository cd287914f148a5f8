"""The provenance check passes on a built dataset and fails on tampered examples."""

from __future__ import annotations

import copy
import json

import pytest
from typer.testing import CliRunner

from domainsft.cli import app
from domainsft.dataset.corpus import load_pages
from domainsft.dataset.provenance import check, load_examples
from domainsft.records import read_facts


@pytest.fixture(scope="module")
def inputs(corpus, built):
    _, out = built
    facts = {f.fact_id: f for f in read_facts(corpus / "facts.jsonl")}
    return load_examples(out), load_pages(corpus), facts


def test_built_dataset_passes(inputs):
    report = check(*inputs)
    assert report["passed"], report["failures"][:5]
    assert report["checked"] > 100


def test_tampered_value_fails(inputs):
    examples, pages, facts = inputs
    ex = copy.deepcopy(next(e for e in examples if e.meta["family"] == "lookup"))
    ex.meta["gold"]["value"] = str(int(float(ex.meta["gold"]["value"])) + 1)
    assert not check([ex], pages, facts)["passed"]


def test_tampered_derived_fails(inputs):
    examples, pages, facts = inputs
    ex = copy.deepcopy(next(e for e in examples if e.meta["family"] == "derived"))
    ex.meta["gold"]["value"] = "99.99"
    report = check([ex], pages, facts)
    assert not report["passed"] and "recomputes" in report["failures"][0]["reason"]


def test_tampered_page_fails(inputs):
    examples, pages, facts = inputs
    ex = copy.deepcopy(next(e for e in examples if e.meta["family"] == "lookup"))
    ex.meta["pages"] = [[d, p + 1] for d, p in ex.meta["pages"]]
    assert not check([ex], pages, facts)["passed"]


def test_cli_exit_codes(corpus, built, tmp_path):
    _, out = built
    runner = CliRunner()
    ok = runner.invoke(app, ["check-provenance", str(out), "--corpus", str(corpus)])
    assert ok.exit_code == 0, ok.output
    bad = tmp_path / "bad"
    bad.mkdir()
    lines = (out / "train.jsonl").read_text("utf-8").splitlines()
    rec = json.loads(lines[0])
    rec["meta"]["fact_ids"] = ["nope:p1:0.0.0"]
    (bad / "train.jsonl").write_text(json.dumps(rec) + "\n", encoding="utf-8")
    res = runner.invoke(app, ["check-provenance", str(bad), "--corpus", str(corpus)])
    assert res.exit_code == 1 and "nope:p1:0.0.0" in res.output
