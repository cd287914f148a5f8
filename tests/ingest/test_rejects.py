"""Bad inputs land in rejects.jsonl with a reason while the good files are ingested."""

from __future__ import annotations

import json

import pypdfium2 as pdfium
import pytest
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfgen import canvas
from typer.testing import CliRunner

from domainsft.cli import app
from domainsft.config import IngestConfig
from domainsft.ingest.pipeline import ingest


def _pdf(path, text="Revenue 1,234,567 thousand", encrypt=None):
    c = canvas.Canvas(str(path), encrypt=encrypt, invariant=1)
    c.drawString(72, 720, text)
    c.drawString(72, 700, "Total assets 9,876,543")
    c.showPage()
    c.save()
    return path


@pytest.fixture
def mixed(tmp_path):
    good = _pdf(tmp_path / "good.pdf")
    _pdf(
        tmp_path / "open_encrypted.pdf",
        "Net income 42,000",
        StandardEncryption("", ownerPassword="owner"),
    )
    _pdf(tmp_path / "locked.pdf", "secret", StandardEncryption("user-pw", ownerPassword="o"))
    data = good.read_bytes()
    (tmp_path / "truncated.pdf").write_bytes(data[: len(data) // 2])
    (tmp_path / "corrupt.pdf").write_bytes(b"%PDF-1.4\n" + b"\x00garbage" * 200 + b"\n%%EOF\n")
    (tmp_path / "empty.pdf").write_bytes(b"")
    (tmp_path / "notes.pdf").write_text("just some text, not a PDF at all", encoding="utf-8")
    pdfium.PdfDocument.new().save(tmp_path / "zero_pages.pdf")  # a valid PDF, no pages
    return tmp_path


EXPECTED = {
    "locked.pdf": "password-protected",
    "truncated.pdf": "truncated",
    "corrupt.pdf": "corrupt",
    "empty.pdf": "empty file",
    "notes.pdf": "not a PDF",
    "zero_pages.pdf": "zero pages",
}


def test_each_bad_file_is_rejected_with_its_reason(mixed, tmp_path):
    out = tmp_path / "out"
    result = ingest([mixed], IngestConfig(out=out, workers=1, ocr="never"))
    reasons = {r.source.rsplit("/", 1)[-1]: r.reason for r in result.rejects}
    assert set(reasons) == set(EXPECTED)
    for name, fragment in EXPECTED.items():
        assert fragment in reasons[name], (name, reasons[name])
    sources = {p.source.rsplit("/", 1)[-1] for p in result.pages}
    assert sources == {"good.pdf", "open_encrypted.pdf"}
    enc = next(p for p in result.pages if p.source.endswith("open_encrypted.pdf"))
    assert "42,000" in enc.text
    lines = (out / "rejects.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(EXPECTED)
    assert all(json.loads(x)["reason"] for x in lines)
    stats = json.loads((out / "ingest_stats.json").read_text(encoding="utf-8"))
    assert stats["rejects"] == len(EXPECTED) and stats["files_ingested"] == 2


def test_exit_code_only_when_nothing_ingested_or_strict(mixed, tmp_path):
    runner = CliRunner()
    args = ["ingest", str(mixed), "--out", str(tmp_path / "o1"), "--ocr", "never"]
    assert runner.invoke(app, args).exit_code == 0
    assert runner.invoke(app, [*args, "--strict"]).exit_code == 1
    only_bad = ["ingest", str(mixed / "locked.pdf"), "--out", str(tmp_path / "o2")]
    res = runner.invoke(app, only_bad)
    assert res.exit_code == 1
    assert json.loads((tmp_path / "o2" / "rejects.jsonl").read_text().splitlines()[0])["reason"]


def test_same_file_twice_is_one_document(tmp_path):
    a = _pdf(tmp_path / "a.pdf")
    b = tmp_path / "copy_of_a.pdf"
    b.write_bytes(a.read_bytes())
    result = ingest([a, b], IngestConfig(out=tmp_path / "out", workers=1, ocr="never"))
    assert len({p.doc_id for p in result.pages}) == 1
    assert "same document" in result.rejects[0].reason


def test_parallel_output_is_deterministic(tmp_path):
    (tmp_path / "in").mkdir()
    for i in range(4):
        _pdf(tmp_path / "in" / f"r{i}.pdf", text=f"Revenue {i},234,567 thousand")
    outs = []
    for run in ("a", "b"):
        cfg = IngestConfig(out=tmp_path / run, workers=2, ocr="never")
        ingest([tmp_path / "in"], cfg)
        outs.append((tmp_path / run / "pages.jsonl").read_bytes())
    assert outs[0] == outs[1]
    sources = [json.loads(x)["source"] for x in outs[0].decode().splitlines()]
    assert sources == sorted(sources)
