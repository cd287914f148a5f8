"""Which operation a question asks for, from the cue phrases of ``questions.yaml``.

The growth and CAGR template names of ``formulas.yaml`` (同比增长率, CAGR ...) count as growth
and CAGR cues too. The order of the checks is the one ``questions.yaml: operations`` states.
"""

from __future__ import annotations

from functools import cache

from domainsft.domains.finance.formulas import templates as formula_templates
from domainsft.domains.finance.questions import LANGS, fold, phrase_pattern, words

Span = tuple[int, int]
OPERATIONS = ("claim", "summary", "compare", "cagr", "growth", "change", "trend")
_TEMPLATE_OF = {"growth": "growth", "cagr": "cagr"}  # cue group -> formulas.yaml template


def cue_spans(text: str, lang: str) -> dict[str, list[Span]]:
    """Cue group -> where its phrases occur in ``text`` (company names and terms masked)."""
    folded = fold(text)
    out: dict[str, list[Span]] = {}
    for name in OPERATIONS:
        for lg in (lang, *(x for x in LANGS if x != lang)):
            pattern = _pattern(name, lg)
            spans = [m.span() for m in pattern.finditer(folded)] if pattern else []
            out.setdefault(name, []).extend(spans)
    return out


def decide(query, cues: dict[str, list[Span]], formula_only: bool, text_only: bool):
    """(operation, template) of a parsed ``Query``; ``formula_only``: a formula name that is
    no printed metric was named; ``text_only``: every metric named is a text field."""
    growth = "cagr" if cues.get("cagr") else "growth" if cues.get("growth") else None
    several = len(query.years) >= 2
    if cues.get("claim"):
        return "claim", growth
    if cues.get("summary") and not query.metrics and query.formula is None:
        return "summary", None
    unknown_rival = cues.get("compare") and query.companies and query.unknown_company
    if len(query.companies) >= 2 or unknown_rival:
        return "compare", growth
    if growth:
        return ("cagr" if growth == "cagr" else "yoy"), growth
    if cues.get("change"):
        return ("yoy", "growth") if len(query.years) == 1 else ("trend", None)
    if several or cues.get("trend"):
        return "trend", None
    if formula_only:
        return "formula", None
    return ("info" if text_only else "lookup"), None


@cache
def _pattern(name: str, lang: str):
    phrases = list(words(f"operations.{name}", lang))
    if name in _TEMPLATE_OF:
        phrases += formula_templates()[_TEMPLATE_OF[name]].get(lang, [])
    return phrase_pattern(tuple(phrases))
