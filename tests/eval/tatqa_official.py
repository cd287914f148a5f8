"""TAT-QA's official exact match, re-implemented from its description (shared/data/README.md
and the metric's published behaviour), for the agreement test only.

Both sides: the first number of the answer string (``$``, ``,``, ``%``, parens stripped), times
the scale word it prints, negative when wrapped in parens, /100 when it carries ``%``; then
rounded to 2 decimals (floats, as the official script does), multiplied by the answer's scale
(thousand/million/billion, percent = 0.01) and compared as ``'%.4f'`` strings. A prediction
that is a bare number with no scale is also tried as a fraction against a percent gold.
Span answers go through its normalisation (lower case, no punctuation, no articles).
"""

from __future__ import annotations

import re
import string

_EXCLUDE_IN_NUM = "'\"\\$€£¥%(),[]"


def scale_to_num(scale: str) -> float:
    scale = scale.lower()
    for word, num in (("hundred", 100), ("thousand", 1e3), ("million", 1e6), ("billion", 1e9)):
        if word in scale:
            return num
    return 0.01 if "percent" in scale else 1


def _clean_num(text: str) -> str:
    return "".join(ch for ch in str(text) if ch not in _EXCLUDE_IN_NUM)


def is_number(text: str) -> bool:
    words = " ".join(_clean_num(w) for w in text.split()).split()
    if not words:
        return False
    try:
        num = float(words[0])
    except ValueError:
        return False
    if num != num:
        return False
    return not (len(words) >= 2 and scale_to_num(words[1]) == 1)


def to_number(text: str) -> float | None:
    groups = re.findall(r"([+-]?\d+(\.\d+)?)|([+-]?\.\d+)", _clean_num(text))
    if not groups or groups[0][0] == "":
        return None
    num = float(groups[0][0]) if "." in groups[0][0] else int(groups[0][0])
    scale = 1
    for m in re.finditer(r"([\d.]+\s?[a-zA-Z]+)", text):
        scale = scale_to_num(m.group(0).lower())
        break
    negative = -1 if re.findall(r"(\([\d.\s%]+\))", text.strip()) else 1
    percent = 0.01 if re.findall(r"([\d.\s]+%)", text.strip()) else 1
    return round(num * scale * negative * percent, 4)


def normalize_answer(text: str) -> str:
    def one(token: str) -> str:
        token = token.lower()
        if not is_number(token):
            token = "".join(ch for ch in token if ch not in set(string.punctuation))
        if is_number(token):
            token = str(to_number(token))
        token = re.sub(r"\b(a|an|the)\b", " ", token)
        return " ".join(token.split())

    return " ".join(p for p in (one(t) for t in text.split(" ")) if p.strip()).strip()


def answer_str(answers: list[str], scale: str) -> list[str]:
    out = []
    for ans in sorted(answers):
        s = str(ans)
        num = to_number(s) if is_number(s) else None
        if num is None:
            out.append(s + " " + scale if scale else s)
        elif "%" in s:
            out.append("%.4f" % num)  # noqa: UP031 - as the official script
        else:
            out.append("%.4f" % (round(num, 2) * scale_to_num(scale)))
    return [" ".join(out)]


def exact_match(prediction: str, pred_scale: str, gold: list[str] | str, gold_scale: str) -> bool:
    """The official EM of one prediction ``(answer string, scale)`` against one gold."""
    golds = gold if isinstance(gold, list) else [str(gold)]
    preds = answer_str([prediction], pred_scale)
    if not pred_scale and "%" not in prediction and is_number(prediction):
        num = to_number(prediction)
        if num is not None:
            preds.append("%.4f" % num)  # noqa: UP031 - a bare fraction vs a percent gold
    wanted = [normalize_answer(g) for g in answer_str(golds, gold_scale)]
    return any(normalize_answer(p) == w for p in preds for w in wanted)
