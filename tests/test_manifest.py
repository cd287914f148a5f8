"""Stage records: the resolved config and the input hashes that `run` uses to skip a stage."""

from __future__ import annotations

import json
from pathlib import Path

from domainsft.config import FactsConfig
from domainsft.utils.manifest import fingerprint, unchanged, write_stage_record


def test_record_notices_a_changed_input_or_config(tmp_path: Path) -> None:
    pages = tmp_path / "pages.jsonl"
    pages.write_text('{"a": 1}\n')
    cfg = FactsConfig(out=tmp_path / "facts.jsonl")
    inputs = {"pages": pages, "model": "default", "none": None}
    record = write_stage_record(tmp_path, "facts", cfg, inputs)
    assert (tmp_path / "facts_config.yaml").read_text().startswith("out:")
    assert json.loads((tmp_path / "facts_manifest.json").read_text()) == record
    assert record["inputs"]["model"]["sha256"] == "value:default"
    assert unchanged(tmp_path, "facts", cfg, inputs)
    pages.write_text('{"a": 2}\n')
    assert not unchanged(tmp_path, "facts", cfg, inputs)
    write_stage_record(tmp_path, "facts", cfg, inputs)
    assert unchanged(tmp_path, "facts", cfg, inputs)
    assert not unchanged(tmp_path, "facts", FactsConfig(out=cfg.out, prose=False), inputs)
    assert not unchanged(tmp_path / "elsewhere", "facts", cfg, inputs)


def test_folder_fingerprint_covers_names_and_contents(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / ".hidden").write_text("ignored")
    first = fingerprint(tmp_path)
    (tmp_path / ".hidden").write_text("still ignored")
    assert fingerprint(tmp_path) == first
    (tmp_path / "a.txt").rename(tmp_path / "b.txt")
    assert fingerprint(tmp_path) != first


def test_one_file_hash_serves_document_ids_manifests_and_the_caches(tmp_path):
    import hashlib

    from domainsft.corpus import document_id
    from domainsft.models.gguf import dense_cache_dir
    from domainsft.utils.hashing import file_sha256
    from domainsft.utils.manifest import fingerprint

    data = bytes(range(256)) * 5000  # > one 1 MiB block, so the streaming loop runs twice
    path = tmp_path / "report.gguf"
    path.write_bytes(data)
    want = hashlib.sha256(data).hexdigest()
    assert file_sha256(path) == document_id(path) == fingerprint(path) == want
    assert dense_cache_dir(path).name == f"report-{want[:16]}"
