"""The corpus reader every stage shares: pages, facts, document ids, errors that name the line."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from domainsft.corpus import (
    by_document,
    by_key,
    document_id,
    load_facts,
    page_text,
    pages_file,
    read_pages,
)
from domainsft.utils.jsonl import InputError


def _page(doc: str, page: int, text: str = "营业收入 1,234.56", **extra) -> dict:
    return {"doc_id": doc, "source": f"{doc}.pdf", "page": page, "text": text} | extra


def _write(path: Path, records: list) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    (path / "pages.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_pages_in_file_order_grouped_and_keyed(tmp_path: Path) -> None:
    corpus = _write(tmp_path, [_page("b", 2), _page("a", 1), _page("b", 1)])
    pages = read_pages(corpus)
    assert [(p.doc_id, p.page) for p in pages] == [("b", 2), ("a", 1), ("b", 1)]
    groups = by_document(pages)
    assert [[(p.doc_id, p.page) for p in g] for g in groups] == [[("b", 1), ("b", 2)], [("a", 1)]]
    assert set(by_key(pages)) == {("a", 1), ("b", 1), ("b", 2)}
    assert read_pages(corpus / "pages.jsonl") == pages  # the file itself works too
    assert [p.doc_id for p in read_pages(corpus, docs=["a"])] == ["a"]


def test_page_text_appends_table_rows(tmp_path: Path) -> None:
    corpus = _write(
        tmp_path, [_page("a", 1, "正文", tables=[[["项目", "2023"], ["营业收入", "9.5"]]])]
    )
    (page,) = read_pages(corpus)
    assert page_text(page) == "正文\n项目 2023\n营业收入 9.5"
    assert page_text(page, tables=False) == "正文"


@pytest.mark.parametrize(
    ("line", "expect"),
    [
        ('{"doc_id": "x", "source": "a.pdf", "page": 1}', "not a page record"),
        ('{"doc_id": "x", "source": "a.pdf", "page": 0, "text": ""}', "`page` must be"),
        ('{"source": "a.pdf", "page": 1, "text": ""}', 'needs "doc_id"'),
        ('{"doc_id": "x", "source": "a.pdf", "page": 1, "text": "", "colour": 1}', "colour"),
    ],
)
def test_bad_line_names_file_line_and_fix(tmp_path: Path, line: str, expect: str) -> None:
    corpus = _write(tmp_path, [_page("a", 1), line])
    with pytest.raises(InputError) as err:
        read_pages(corpus)
    assert f"{pages_file(corpus)}:2" in str(err.value) and expect in str(err.value)
    assert "domainsft ingest" in str(err.value)


def test_missing_files_name_the_command(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no pages file"):
        read_pages(tmp_path)
    with pytest.raises(InputError, match="domainsft facts"):
        load_facts(tmp_path)


def test_document_id_is_the_sha256_of_the_bytes(tmp_path: Path) -> None:
    path = tmp_path / "r.pdf"
    path.write_bytes(b"%PDF-1.7 not really")
    assert document_id(path) == hashlib.sha256(b"%PDF-1.7 not really").hexdigest()
