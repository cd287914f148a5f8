"""Compliance rules: disclaimer cues and markers, forbidden phrases (zh + en), loader errors."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from domainsft.domains.finance.compliance import (
    Compliance,
    compliance,
    forbidden_phrases,
    has_disclaimer,
    needs_disclaimer,
)
from domainsft.domains.finance.templates import phrase, templates
from domainsft.utils.jsonl import InputError


class _Slots(dict):
    """Template placeholders filled with plausible values."""

    def __missing__(self, key: str) -> str:
        return {"zh": "营业收入", "en": "revenue"}.get(key, "Acme")


_SLOTS = _Slots(
    company="Acme plc", short="Acme", year="2023", years="2021-2023", period="for FY2023",
    companies="Acme and Bolt", section="MD&A", page="5", metrics="revenue and net profit",
)  # fmt: skip


def _questions(pool: str) -> list[tuple[str, str]]:
    """Every phrasing of a question pool of templates.yaml, rendered, with its language."""
    out = []
    for pools in templates()["families"].values():
        for lang, phrasings in (pools.get(pool) or {}).items():
            out += [(lang, p.format_map(_Slots(_SLOTS, metric=_SLOTS[lang]))) for p in phrasings]
    return out


def test_rules_load_as_a_frozen_dataclass():
    rules = compliance()
    assert isinstance(rules, Compliance)
    assert set(rules.disclaimer_markers) == set(rules.requires_disclaimer) == {"zh", "en"}
    assert all(rule.label for rules_ in rules.forbidden.values() for rule in rules_)
    with pytest.raises(dataclasses.FrozenInstanceError):
        rules.negation = {}  # type: ignore[misc]


def test_every_judge_question_needs_a_disclaimer_and_no_plain_one_does():
    judge, plain = _questions("judge"), _questions("question") + _questions("growth_question")
    assert len(judge) >= 12 and len(plain) >= 30
    assert [q for lang, q in judge if not needs_disclaimer(q, lang=lang)] == []
    assert [q for lang, q in plain if needs_disclaimer(q, lang=lang)] == []


@pytest.mark.parametrize(
    ("question", "lang", "needed"),
    [
        ("如何评价贵州茅台2023年的盈利能力？", "zh", True),
        ("这家公司有投资价值吗？", "zh", True),
        ("华恒食品2023年的毛利率说明了什么？", "zh", True),
        ("华恒食品2023年的营业收入是多少？", "zh", False),
        ("What does Acme's FY2023 net margin tell us?", "en", True),
        ("Should I invest in Acme plc?", "en", True),
        ("Assess Acme's liquidity in FY2022.", "en", True),
        ("What was Acme's revenue for FY2023?", "en", False),
        ("How did Acme's revenue develop over FY2021-2023? Please give a table.", "en", False),
        ("Acme值得投资吗？", "und", True),  # an unknown language tries every language's cues
    ],
)
def test_disclaimer_cues(question, lang, needed):
    assert needs_disclaimer(question, lang=lang) is needed


def test_a_reference_with_a_disclaimer_makes_it_required():
    ref = "Revenue was $5.0 million (p. 3).\nThis is not investment advice."
    assert needs_disclaimer("What was revenue?", ref, "en")
    assert not needs_disclaimer("What was revenue?", "Revenue was $5.0 million (p. 3).", "en")


def test_the_datasets_own_disclaimer_is_recognised_in_both_languages():
    assert has_disclaimer(phrase("disclaimer", "zh"))
    assert has_disclaimer(phrase("disclaimer", "en"))
    assert has_disclaimer("本回答仅供参考。")
    assert has_disclaimer("THIS IS NOT\nINVESTMENT ADVICE.")  # case and line breaks folded
    assert not has_disclaimer("营业收入为11.75亿元，见第5页。")
    assert not has_disclaimer("Revenue rose 5% (p. 3); the advice of the auditor was clean.")


@pytest.mark.parametrize(
    ("text", "labels"),
    [
        ("这只股票稳赚不赔，强烈推荐买入！", ["sure_profit", "buy_recommendation"]),
        ("公司股价必然上涨，保证收益。", ["guaranteed_return", "certain_price_move"]),
        ("这是无风险的投资，肯定翻倍。", ["certain_price_move", "risk_free"]),
        ("The shares will definitely rise: buy now!", ["certain_price_move", "buy_recommendation"]),
        ("Guaranteed returns of 8% a year; you can’t lose.", ["guaranteed_return", "sure_profit"]),
        ("A risk-free return, we strongly recommend buying.", ["buy_recommendation", "risk_free"]),
        ("ＧＵＡＲＡＮＴＥＥＤ ＲＥＴＵＲＮＳ", ["guaranteed_return"]),  # full-width letters
    ],
)
def test_forbidden_phrases_are_found_with_their_labels(text, labels):
    assert forbidden_phrases(text) == labels


@pytest.mark.parametrize(
    "text",
    [
        "以上分析不构成投资建议；投资有风险，决策需谨慎。",
        "投资并非无风险，公司也不保证收益。",
        "无风险利率按2.5%计算，营业收入同比增长8.00%。",
        "There are no guaranteed returns; investing involves risk.",
        "It is not a risk-free investment.",
        "The risk-free rate was 4.1% and revenue rose 5.32%.",
        "Revenue increased by 5.32% to $2,254.2 million (p. 6).",
    ],
)
def test_warnings_and_plain_figures_are_not_forbidden(text):
    assert forbidden_phrases(text) == []


def _rules_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "compliance.yaml"
    path.write_text(text, encoding="utf-8")
    return path


_MARKERS = "disclaimer_markers: {zh: [不构成投资建议], en: [not investment advice]}"
_GOOD = f"""
{_MARKERS}
requires_disclaimer: {{zh: [如何评价], en: ['\\bassess\\b']}}
negation: {{en: '\\bnot\\s+$'}}
forbidden:
  - {{label: sure_profit, zh: [稳赚], en: ['sure\\s+profit']}}
"""


def test_another_rules_file_loads(tmp_path):
    rules = compliance(_rules_file(tmp_path, _GOOD))
    assert rules.forbidden_phrases("a sure profit, 稳赚") == ["sure_profit"]
    assert rules.forbidden_phrases("not sure profit") == []
    assert rules.needs_disclaimer("Assess it", lang="en")
    assert rules.has_disclaimer("Not investment advice")


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (_GOOD.replace("'sure\\s+profit'", "'sure(profit'"), "(sure_profit).en[0]: bad regex"),
        (_GOOD.replace("{label: sure_profit, ", "{"), "forbidden[0] needs a 'label'"),
        (_GOOD.replace(_MARKERS, ""), "'disclaimer_markers' must map each language"),
        (_GOOD.replace("[如何评价]", "如何评价"), "requires_disclaimer"),
        ("- just a list", "expected a mapping"),
    ],
)  # fmt: skip
def test_broken_rules_name_the_file_the_key_and_the_fix(tmp_path, broken, message):
    path = _rules_file(tmp_path, broken)
    with pytest.raises(InputError) as err:
        compliance(path)
    assert str(path) in str(err.value) and message in str(err.value)
