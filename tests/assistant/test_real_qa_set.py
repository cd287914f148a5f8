"""The hand-checked question set over the real reports stays honest.

Fast tier: the file loads, ids are unique, every derived answer recomputes from its operands in
Decimal with ROUND_HALF_UP, every operand's value is its printed cell in base units, and the mix
of languages, reports and kinds holds. Slow tier: every printed cell is on the text layer of the
page it cites (pypdfium2, 1-based physical pages), read from ../shared/data where it lies.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from decimal import Decimal

import pytest

from domainsft.numbers import find_quantities, from_base, parse_number, round_half_up, to_base
from domainsft.utils.jsonl import InputError
from tests.assistant.real_qa import KINDS, QA_FILE, evaluate, load_real_qa
from tests.conftest import shared_or_skip

QUESTIONS = load_real_qa()
BY_REPORT: dict[str, list] = defaultdict(list)
for _q in QUESTIONS:
    BY_REPORT[_q.report].append(_q)

# How each question may name its company: the full name printed in the report or the short
# name the report itself uses (证券简称 / the 10-K's own short form).
SHORT_NAMES = {
    "cn_603339_sifang_2019": ("四方科技",),
    "cn_600201_jinyu_2020": ("生物股份",),
    "cn_000001_pingan_bank_2024": ("平安银行",),
    "AMAZON_2019": ("Amazon",),
    "NETFLIX_2017": ("Netflix",),
    "COSTCO_2021": ("Costco",),
    "NIKE_2019": ("NIKE", "Nike"),
    "MICROSOFT_2016": ("Microsoft",),
    "ADOBE_2015": ("Adobe",),
    "BESTBUY_2019": ("Best Buy",),
    "3M_2018": ("3M",),
}


def test_ids_are_unique_and_kinds_known() -> None:
    ids = Counter(q.id for q in QUESTIONS)
    assert [i for i, n in ids.items() if n > 1] == []
    assert {q.kind for q in QUESTIONS} <= set(KINDS)
    assert all(q.in_facts in (True, False) for q in QUESTIONS)


def test_mix_of_languages_reports_and_kinds() -> None:
    zh = [q for q in QUESTIONS if q.lang == "zh"]
    en = [q for q in QUESTIONS if q.lang == "en"]
    kinds = Counter(q.kind for q in QUESTIONS)
    assert len(QUESTIONS) >= 48
    assert len(zh) >= 18 and len({q.report for q in zh}) == 3
    assert len(en) >= 24 and len({q.report for q in en}) >= 6
    assert all(q.report.startswith("reports/en/financebench/") for q in en)
    assert kinds["lookup"] * 2 >= len(QUESTIONS)
    assert kinds["yoy"] >= 8 and kinds["ratio"] >= 8


@pytest.mark.parametrize("q", QUESTIONS, ids=lambda q: q.id)
def test_question_names_company_and_year(q) -> None:
    key = next(k for k in SHORT_NAMES if k in q.report)
    assert any(name in q.question for name in (q.company, *SHORT_NAMES[key])), q.question
    assert str(q.fiscal_year) in q.question


@pytest.mark.parametrize("q", QUESTIONS, ids=lambda q: q.id)
def test_operand_values_are_their_printed_cells(q) -> None:
    for op in q.operands:
        number = parse_number(op.printed)
        assert number is not None, f"{q.id}: {op.printed!r} is not one printed number"
        assert to_base(number, op.scale) == op.value, f"{q.id}: {op.metric} value vs printed"
    assert q.pages == tuple(sorted({op.page for op in q.operands}))


@pytest.mark.parametrize("q", QUESTIONS, ids=lambda q: q.id)
def test_answer_recomputes_from_operands(q) -> None:
    answer = q.answer
    if q.kind == "lookup":
        assert len(q.operands) == 1 and not q.formula
        assert answer.value == q.operands[0].value
        return
    assert len(q.operands) >= 2 and q.formula
    exact = evaluate(q.formula, q.variables())
    if answer.unit == "%":
        # percentages: the gold value itself is the 2-place ROUND_HALF_UP of the exact ratio
        assert (answer.scale, answer.places) == ("1", 2)
        assert answer.value == round_half_up(exact, 2)
        assert -answer.value.as_tuple().exponent == 2
    else:
        assert answer.value == exact, f"{q.id}: a sum or difference of printed cells is exact"
    assert q.gold_in_scale == round_half_up(from_base(exact, answer.scale), answer.places)


def test_yoy_compares_current_with_prior_year_of_one_metric() -> None:
    for q in (q for q in QUESTIONS if q.kind == "yoy"):
        years = sorted(op.fiscal_year for op in q.operands)
        assert len({op.metric for op in q.operands}) == 1, q.id
        assert years == [q.fiscal_year - 1, q.fiscal_year], q.id


def test_gold_in_scale_follows_the_requested_unit() -> None:
    asked = {q.id: q.gold_in_scale for q in QUESTIONS}
    # 369,100,908.49 元 asked 以万元为单位，保留两位小数: 36,910.09 万元 (half-up of ...0849)
    assert asked["sifang2019-ocf-wan"] == Decimal("36910.09")
    # 11,692,713 thousands asked in USD millions with one decimal
    assert asked["netflix2017-revenues-millions"] == Decimal("11692.7")


def test_formula_rejects_anything_but_arithmetic() -> None:
    names = {"a": Decimal(3), "b": Decimal(4)}
    assert evaluate("(a - b) / b * 100", names) == Decimal(-25)
    for bad in ("a ** 2", "__import__('os')", "a / (b - 4)", "c + 1", "a + 0.5"):
        with pytest.raises(ValueError):
            evaluate(bad, names)


def test_loader_names_the_line_of_a_bad_question(tmp_path) -> None:
    good = QA_FILE.read_text(encoding="utf-8").splitlines()[0]
    path = tmp_path / "qa.jsonl"
    path.write_text(good + "\n" + good.replace('"kind": "lookup"', '"kind": "guess"') + "\n")
    with pytest.raises(InputError, match=r"qa\.jsonl:2: .*kind 'guess'"):
        load_real_qa(path)


def test_every_report_exists() -> None:
    for report in BY_REPORT:
        assert shared_or_skip(report).is_file(), report


# ---------------------------------------------------------------------------- on the page


def _squash(text: str) -> str:
    """Whitespace and thousands separators out: cells split over lines or spaced still match."""
    return re.sub(r"[\s,，\u00a0\u2009\u202f]", "", text)


def _printed_numbers(text: str) -> set[Decimal]:
    """Every number of the page as printed (scale words taken back off), signs kept."""
    return {from_base(q.value, q.scale) for q in find_quantities(text)}


@pytest.mark.slow
@pytest.mark.parametrize("report", sorted(BY_REPORT), ids=lambda r: r.rsplit("/", 1)[-1])
def test_printed_cells_are_on_their_cited_pages(report: str) -> None:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(shared_or_skip(report)))
    texts: dict[int, str] = {}
    missing = []
    for q in BY_REPORT[report]:
        for op in q.operands:
            assert 1 <= op.page <= len(doc), f"{q.id}: page {op.page} of {len(doc)}"
            if op.page not in texts:
                texts[op.page] = doc[op.page - 1].get_textpage().get_text_range()
            text = texts[op.page]
            on_page = _squash(op.printed) in _squash(text)
            as_number = parse_number(op.printed) in _printed_numbers(text)
            if not (on_page and as_number):
                missing.append(f"{q.id}: {op.printed!r} (text {on_page}, number {as_number})")
    assert missing == [], f"not on the cited page of {report}: {missing}"
