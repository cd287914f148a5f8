"""Non-numeric answers: names, yes/no (是/否) and "not available", in Chinese and English."""

from __future__ import annotations

import re
import unicodedata

# SQuAD/DROP-style normalisation (lower case, no punctuation, no articles, one space), with
# NFKC first so that full-width letters and punctuation fold to their ASCII forms.
_ARTICLES = re.compile(r"\b(?:a|an|the)\b")
_YES = frozenset({"yes", "true", "correct"})
_NO = frozenset({"no", "false", "incorrect"})
_ZH_NO = ("不是", "不对", "不正确", "否", "没有", "未", "错误", "错")  # tried before 是/对/有
_ZH_YES = ("是", "对", "正确", "有")
# A verdict stated in the first clause ("该说法有误：…", "That is not correct. …"): negated
# forms are looked for before the plain ones, so "not correct" never reads as "correct".
_FIRST_CLAUSE = re.compile(r"^[^，。：；！？,.:;!?\n]*")
_ZH_CLAUSE_NO = ("不正确", "不对", "不属实", "有误", "错误", "不准确")
_ZH_CLAUSE_YES = ("正确", "属实", "准确", "没错")
_EN_CLAUSE_NO = re.compile(
    r"\b(?:not\s+(?:correct|accurate|true|right)|incorrect|inaccurate|untrue|wrong)\b"
)
_ANSWER_CUE = re.compile(r"(?:答案|答|结论|(?i:final\s+answer|answer))\s*[:：]\s*")
_EN_CLAUSE_YES = re.compile(r"\b(?:correct|accurate|true|right)\b")
_NA_PHRASES = (
    "n/a", "n.a.", "not available", "not disclosed", "not mentioned", "not provided",
    "no information", "no data", "cannot be determined", "not applicable", "unknown",
    "cannot be answered", "cannot answer", "can't answer", "cannot provide", "cannot give",
    "does not disclose", "does not state", "does not report", "gives no figure", "not covered",
    "is not in the", "not in them", "without guessing", "don't know", "do not know",
    "不适用", "未披露", "无法确定", "无法回答", "无法得知", "没有相关", "未提及", "无相关", "不详",
    "无法作答", "无法提供", "找不到", "未列示", "不宜推测", "不知道",
)  # fmt: skip
_NA_EXACT = frozenset({"na", "none", "null", "无", "-", "—"})


def normalise_text(text: str) -> str:
    """``"The  Board of Directors."`` → ``board of directors``; ``ＡＢＣ公司。`` → ``abc公司``."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = "".join(" " if unicodedata.category(c)[0] in "PS" else c for c in text)
    return " ".join(_ARTICLES.sub(" ", text).split())


def read_boolean(text: str) -> bool | None:
    """The yes/no an answer gives: ``Yes, it did`` → True, ``否，公司未…`` → False, else None.

    The answer's first word decides; failing that, the first standalone yes/no/true/false.
    """
    raw = unicodedata.normalize("NFKC", text).strip()
    clause = _FIRST_CLAUSE.match(raw).group(0).lower()  # type: ignore[union-attr]
    if any(w in clause for w in _ZH_CLAUSE_NO) or _EN_CLAUSE_NO.search(clause):
        return False
    if any(w in clause for w in _ZH_CLAUSE_YES) or _EN_CLAUSE_YES.search(clause):
        return True
    for prefix in _ZH_NO:
        if raw.startswith(prefix):
            return False
    for prefix in _ZH_YES:
        if raw.startswith(prefix):
            return True
    cue = _ANSWER_CUE.search(raw)
    if cue and cue.end() < len(raw):  # "答案：是", "Final answer: no"
        after = read_boolean(raw[cue.end() :])
        if after is not None:
            return after
    words = normalise_text(raw).split()
    for word in words[:1] + words:
        if word in _YES:
            return True
        if word in _NO:
            return False
    return None


def is_not_available(text: str) -> bool:
    """Whether an answer says the figure is not available (``N/A``, ``未披露``)."""
    norm = unicodedata.normalize("NFKC", text).strip().lower()
    if normalise_text(norm) in _NA_EXACT or norm in _NA_EXACT:
        return True
    return any(phrase in norm for phrase in _NA_PHRASES)


def text_match(output: str, gold: str) -> tuple[str, str]:
    """``(verdict, how)`` for a name-like gold: equal after normalisation, or the gold's words
    appear in the output as a whole (``The CEO is John Smith.`` contains ``John Smith``)."""
    out, want = normalise_text(output), normalise_text(gold)
    if not out:
        return "unparseable", "empty output"
    if out == want:
        return "correct", "exact"
    if want and re.search(rf"(?<![a-z0-9]){re.escape(want)}(?![a-z0-9])", out):
        return "correct", "contains"
    return "wrong", "text differs"
