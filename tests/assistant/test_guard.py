"""The compliance guard: every rule's own examples, negation, blocking, rewriting, redaction,
the appended disclaimer, and rules files with mistakes."""

from __future__ import annotations

from pathlib import Path

import pytest

from domainsft.assistant.guard import guard, matches
from domainsft.domains.finance.guard_rules import guard_rules
from domainsft.utils.jsonl import InputError

RULES = guard_rules().rules
CASES = [(r, t, True) for r in RULES for t in r.positive] + [
    (r, t, False) for r in RULES for t in r.negative
]


def _fires(rule, text: str) -> bool:
    if rule.disclaimer:
        question, _, answer = text.partition(" A: ")
        res = guard(answer, question.removeprefix("Q: "), "zh" if _zh(text) else "en")
    else:
        res = guard(text, "", "zh" if _zh(text) else "en")
    return any(a.rule == rule.id for a in res.actions)


def _zh(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


@pytest.mark.parametrize(
    ("rule", "text", "fires"), CASES, ids=[f"{r.id}-{f}-{t[:16]}" for r, t, f in CASES]
)
def test_every_rules_examples(rule, text: str, fires: bool) -> None:
    assert _fires(rule, text) is fires


def test_every_rule_has_both_kinds_of_example() -> None:
    assert len(RULES) >= 6 and all(r.positive and r.negative for r in RULES)
    assert {r.action for r in RULES} == {"block", "rewrite", "append", "flag"}


def test_negated_promise_passes_and_a_promise_is_blocked_in_the_questions_language() -> None:
    assert guard("本基金不保证收益，投资有风险。", "", "zh").actions == []
    res = guard("该产品保本，稳赚不赔。", "这个产品怎么样？", "zh")
    assert (
        res.blocked
        and res.text.startswith("该回答")
        and res.actions[0].rule == "promissory_language"
    )
    en = guard("Guaranteed returns of 8%.", "Is it safe?", "en")
    assert en.blocked and en.text.startswith("The answer was withheld")


def test_speculation_is_rewritten_into_hedged_wording() -> None:
    res = guard("公司利润必将增长。Revenue will certainly grow.", "", "zh")
    assert res.text == "公司利润或将增长。Revenue may grow." and not res.blocked


def test_advice_questions_get_the_disclaimer_once() -> None:
    res = guard("营业收入增长12%。", "这家公司值得投资吗？", "zh")
    assert res.text.endswith("投资有风险，决策需谨慎。") and res.text.count("不构成投资建议") == 1
    again = guard(res.text, "这家公司值得投资吗？", "zh")
    assert again.text == res.text and not again.actions
    en = guard("Revenue grew 12%.", "Should I buy the stock?", "en")
    assert "not investment advice" in en.text


def test_personal_data_comes_out_redacted() -> None:
    res = guard("董事长身份证号11010519491231002X，手机13800138000。", "", "zh")
    assert "11010519491231002X" not in res.text and "13800138000" not in res.text
    assert "[ID_CARD]" in res.text and "[PHONE]" in res.text
    assert sorted(a.matched for a in res.actions) == ["id_card", "phone"]


def test_figures_and_codes_are_not_touched() -> None:
    text = "营业收入为1,234,567,890.12元，股票代码603339，2023年12月31日。"
    assert guard(text, "", "zh").text == text


def test_rules_file_mistakes_name_the_rule(tmp_path: Path) -> None:
    bad = tmp_path / "c.yaml"
    bad.write_text(
        "guard:\n  refusal: {zh: 拒绝, en: refused}\n  rules:\n"
        "    - {id: x, severity: high, action: explode,\n"
        "       examples: {positive: [a], negative: [b]}}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"guard rule 'x'.*action"):
        guard_rules(bad)
    bad.write_text(
        "guard:\n  refusal: {zh: 拒绝, en: refused}\n  rules:\n"
        "    - {id: y, severity: low, action: flag, en: ['(unclosed'], "
        "examples: {positive: [a], negative: [b]}}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"guard rule 'y'.*bad regex"):
        guard_rules(bad)
    assert matches(RULES[0], "保本") and not matches(RULES[0], "不保本")
