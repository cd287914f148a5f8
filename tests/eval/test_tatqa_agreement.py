r"""Our matcher agrees with TAT-QA's official exact match on its dev set's number answers.

Each gold number (arithmetic and count answers, and span answers that are one number) is
rendered as a model might answer it: as given, rounded, with thousands separators and ``$``,
with the scale word, as a fraction of a percent gold, negative in parens, inside a sentence
with a year and a page reference, and wrong: perturbed, off in the second decimal, in the
wrong scale, with the sign flipped. The official metric scores the structured prediction
``(answer string, scale)`` a TAT-QA system would output; our matcher reads the rendered text.

Measured: 10,395 predictions over 1,144 number answers, 99.66 % agreement. Every
disagreement comes from one of three quirks of the official script's reading of *gold* strings
(our reading is the report's meaning), and the test checks that no other kind occurs:

* ``paren-comma``: its negative test ``\([\d.\s%]+\)`` allows no thousands separator, so the
  gold ``(2,085)`` counts as +2,085 (4 dev answers: (2,085), (1,212), (2,088), $(9,982)).
* ``scale-after-paren``: its scale regex needs the word right after a digit, so the gold
  ``$(9.8) million`` is read as -9.8 (1 answer).
* ``double-scale``: a gold that prints its scale and also carries it (``$3.0 million`` with
  scale million) is multiplied twice, to 3 x 10^12 (1 answer); we never apply a scale twice.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

from domainsft.eval import match_answer, parse_gold
from domainsft.numbers import format_number, parse_quantity, round_half_up, scale_factor
from tests.conftest import shared_or_skip
from tests.eval import tatqa_official as official

KNOWN_QUIRKS = {
    "paren-comma": re.compile(r"\(\s*\d{1,3},\d"),
    "scale-after-paren": re.compile(r"\)\s*(?:thousand|million|billion)"),
    "double-scale": re.compile(r"\d\s*(?:thousand|million|billion)"),
}
SCALE_WORD = {"thousand": " thousand", "million": " million", "billion": " billion"}


def _number_golds(path) -> list[dict]:
    golds = []
    for doc in json.loads(path.read_text(encoding="utf-8")):
        for q in doc["questions"]:
            answer, kind = q["answer"], q["answer_type"]
            if kind == "span" and len(answer) == 1 and official.is_number(answer[0]):
                answer = answer[0]
            elif kind not in ("arithmetic", "count"):
                continue
            golds.append({"id": q["uid"], "answer": answer, "scale": q["scale"], "type": kind})
    return golds


def _render(number: str, scale: str, dollar: bool = False) -> str:
    """``12.35`` + percent → ``12.35%``; ``1577`` + million → ``$1,577 million``."""
    if scale == "percent":
        return f"{number}%"
    return f"{'$' if dollar else ''}{number}{SCALE_WORD.get(scale, '')}"


def _variants(g: dict) -> list[tuple[str, str, str]]:
    """(official prediction string, official prediction scale, the text our matcher reads)."""
    s = g["scale"]
    value = official.to_number(str(g["answer"]))
    if value is None:
        return []
    d = Decimal(str(value)) * (100 if "%" in str(g["answer"]) else 1)
    two = format_number(d, 2, thousands=False)
    off_cent = format_number(d + Decimal("0.01"), 2)
    off_pct = str(round_half_up(d * Decimal("1.01"), 2))
    dollar = s != "percent" and not any(c in str(g["answer"]) for c in "£€¥")
    out = [
        (two, s, _render(two, s)),
        (format_number(d, 2), s, _render(format_number(d, 2), s, dollar=dollar)),
        (format_number(d, 1, thousands=False), s, _render(format_number(d, 1), s)),
        (off_cent, s, _render(off_cent, s)),
        (off_pct, s, _render(off_pct, s)),
        (format_number(-d, 2, False), s, _render(format_number(-d, 2), s).replace("-", "−")),
        (two, s, f"From 2018 to 2019 the figure is {_render(two, s)} (see page 12)."),
        (two, s, f"1. Table 3 shows it. Answer: {_render(two, s)}"),
    ]
    if d < 0:
        paren = f"({format_number(-d, 2)})"
        out.append((two, s, paren + ("%" if s == "percent" else SCALE_WORD.get(s, ""))))
    if s == "percent":
        frac = str(round_half_up(d / 100, 4))
        out += [(frac, "", frac), (two, "percent", f"{two} percent")]
    if s in SCALE_WORD:
        other = "thousand" if s != "thousand" else "million"
        out.append((two, other, _render(two, other)))
    return out


def test_matcher_agrees_with_official_tatqa_em():
    golds = _number_golds(shared_or_skip("qa", "tatqa", "tatqa_dataset_dev.json"))
    assert len(golds) > 700
    agree, disagreements, n = 0, [], 0
    for g in golds:
        unit = {"percent": "%"}.get(g["scale"], g["scale"]) or None
        answer = g["answer"]
        gold = parse_gold({"id": g["id"], "answer": answer, "unit": unit, "decimals": 2}, "dev")
        own = parse_quantity(str(answer))
        if own is not None and own.scale != "1":  # "$36.5 million": 2 decimals of dollars
            places = 1 + len(str(scale_factor(own.scale)))
            gold = parse_gold({"id": g["id"], "answer": answer, "decimals": places}, "dev")
        for pred, pred_scale, text in _variants(g):
            theirs = official.exact_match(pred, pred_scale, [str(answer)], g["scale"])
            ours = match_answer(text, gold).verdict == "correct"
            n += 1
            if theirs == ours:
                agree += 1
            else:
                row = (g["id"], answer, g["scale"], pred, pred_scale, text, theirs, ours)
                disagreements.append(row)
    rate = agree / n
    print(f"TAT-QA dev: {n} predictions over {len(golds)} number answers, agreement {rate:.4%}")
    unexplained = []
    for d in disagreements:
        causes = [k for k, rx in KNOWN_QUIRKS.items() if rx.search(str(d[1]))]
        if not causes or (causes == ["double-scale"] and not d[2]):
            unexplained.append(d)
        print(causes, d)
    assert not unexplained, unexplained[:20]
    assert rate >= 0.995
