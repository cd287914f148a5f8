"""Query expansion from the domain pack: a question's words plus the words reports print for what
it asks about, each with a weight.

A question and the page that answers it often share no word: "cash flow from operations" is
printed as "net cash provided by operating activities", 全面摊薄净资产收益率 is computed from
净利润 and 净资产, "mergers or acquisitions" shows up as "acquired". The domain pack knows
these words; this module finds what a query mentions and adds them:

* **metrics** the query names (``terms.annotate_terms``): every label and synonym of the metric;
* **formulas** it names (formulas.yaml names and families, ROE → its default variant): the
  formula's names and every label of each metric it reads (current and prior period), since
  the page that answers is the one that prints the inputs;
* **topics** it names (``search.yaml``: M&A, leadership changes ...): the topic's report words.

Only phrases of the languages asked for are added (those of the pages searched). The user's
own tokens weigh 1; an added token weighs ``EXPANSION_WEIGHT`` (unless the user typed it too),
so that many synonyms cannot outvote the question.

A phrase of the pack is found in the query as follows: a Chinese one as a substring (spaces and
case ignored), an English one as a run of the query's tokens (stemmed, stop words dropped), so
"acquisitions" finds the phrase "acquisition" and "return on equity" finds "Return on equity".
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from domainsft.retrieval.concepts import concept
from domainsft.retrieval.tokenize import tokenize, word_pairs

_SPACE = re.compile(r"\s+")
# A quoted phrase is what the user wants found ("Financial highlights", “主要会计数据”).
_QUOTED = re.compile(r'"([^"]+)"|“([^”]+)”|「([^」]+)」|『([^』]+)』')


@dataclass(frozen=True)
class Weights:
    """How much each kind of query token counts (BM25 scores are summed times these)."""

    concept: float = 2.0  # @metric: a metric named, or read by a formula named
    named: float = 1.0  # a word of a formula or topic name the query prints
    label: float = 0.2  # a word of a metric's labels, the label the query prints included
    expansion: float = 1.0  # a word the pack adds for a formula or topic (its names, its words)
    context: float = 0.3  # any other query word, when the query names something (else 1)


DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True)
class Query:
    """A query as BM25 scores it: ``weights`` token → weight; ``expanded_with`` names what the
    domain pack added (``metric:revenue``, ``formula:roe_average``, ``topic:patents``)."""

    text: str
    weights: dict[str, float]
    expanded_with: tuple[str, ...] = ()


def expand_query(
    text: str, langs: Iterable[str] = ("zh", "en"), weights: Weights | None = DEFAULT_WEIGHTS
) -> Query:
    """``text``'s tokens plus the domain pack's words for what it names, in ``langs``, weighted
    by kind (``Weights``); ``weights=None`` turns expansion off (every query token weighs 1).

    A token that is of several kinds takes the largest weight.
    """
    tokens = tokenize(text)
    if weights is None:
        return Query(text, dict.fromkeys(tokens, 1.0))
    found = _mentions(text, tokens, tuple(langs))
    out = dict.fromkeys(tokens, weights.context if found.sources else 1.0)

    def add(new: Iterable[str], weight: float) -> None:
        for token in new:
            out[token] = max(out.get(token, 0.0), weight)

    add(found.named, weights.named)
    for a, b in itertools.pairwise(tokens):  # a pair of the query's words weighs as its lighter
        if _is_word(a) and _is_word(b):
            add([f"{a}_{b}"], min(out[a], out[b]))
    add((t for phrase in found.labels for t in phrase_terms(phrase)), weights.label)
    add((t for phrase in found.phrases for t in phrase_terms(phrase)), weights.expansion)
    add(found.concepts, weights.concept)
    return Query(text, out, found.sources)


@dataclass(frozen=True)
class _Found:
    sources: tuple[str, ...]  # kind:id of each mention
    named: frozenset[str]  # the words of the formula and topic names the query prints
    labels: tuple[str, ...]  # every label of each metric named (the printed one included)
    phrases: tuple[str, ...]  # formulas' names and topics' words
    concepts: tuple[str, ...]  # concept tokens of the metrics named or read by a formula named


def _mentions(text: str, tokens: list[str], langs: tuple[str, ...]) -> _Found:
    from domainsft.domains.finance import metrics
    from domainsft.domains.finance.formulas import formulas
    from domainsft.domains.finance.search import metric_words, topics
    from domainsft.domains.finance.terms import annotate_terms

    annotations = annotate_terms(text)
    named_phrases = _named(tokens, fold(text))
    sources: list[str] = []
    phrases: list[str] = []
    metric_ids = [a.metric for a in annotations]
    metric_ids += [key[1] for key, _ in named_phrases if key[0] == "metric"]
    for kind, fid in (key for key, _ in named_phrases if key[0] == "formula"):
        formula = formulas()[fid]
        sources.append(f"{kind}:{fid}")
        phrases += _in_langs({"zh": formula.zh, "en": formula.en}, langs)
        metric_ids += list(formula.inputs) + list(formula.prior)
    for kind, tid in (key for key, _ in named_phrases if key[0] == "topic"):
        sources.append(f"{kind}:{tid}")
        phrases += _in_langs(topics()[tid].expand, langs)
    metric_ids = [mid for mid in dict.fromkeys(metric_ids) if mid in metrics()]
    labels = [a.surface for a in annotations]
    for mid in metric_ids:
        sources.append(f"metric:{mid}")
        labels += _in_langs({"zh": metrics()[mid].zh, "en": metrics()[mid].en}, langs)
        phrases += _in_langs(metric_words().get(mid, {}), langs)
    quoted = [next(g for g in m.groups() if g) for m in _QUOTED.finditer(text)]
    sources += [f"quoted:{q}" for q in quoted]
    named = [p for key, p in named_phrases if key[0] != "metric"] + quoted
    return _Found(
        sources=tuple(dict.fromkeys(sources)),
        named=frozenset(t for phrase in named for t in phrase_terms(phrase)),
        labels=tuple(labels),
        phrases=tuple(phrases),
        concepts=tuple(concept(mid) for mid in metric_ids),
    )


def _named(tokens: list[str], folded: str) -> list[tuple[tuple[str, str], str]]:
    """``((kind, id), name)`` of the formulas, topics and one-word metric labels (``_names``)
    named in the query. Where one
    name lies inside a longer one that also occurs (资产收益率 in 净资产收益率, 毛利 in 毛利率),
    only the longer counts."""
    spans = []  # (space, start, end, key, phrase)
    for key, phrase in _names():
        for space, start, end in find(tokens, folded, phrase):
            spans.append((space, start, end, key, phrase))
    kept = [
        s
        for s in spans
        if not any(o[0] == s[0] and o[1] <= s[1] and s[2] <= o[2] and o[2] - o[1] > s[2] - s[1]
                   for o in spans)
    ]  # fmt: skip
    return list(dict.fromkeys((key, phrase) for *_, key, phrase in kept))


@cache
def _names() -> tuple[tuple[tuple[str, str], str], ...]:
    """``((kind, id), name)`` of every formula, formula family (as its default variant) and
    topic of the domain pack, and the metrics' one-word labels. The term annotator finds a
    one-word label (博士, Auditor) only at the start of a line, where a page prints it as a row
    label, since in prose it is an everyday word; a question that names it means the metric."""
    from domainsft.domains.finance import metrics
    from domainsft.domains.finance.formulas import families, formulas
    from domainsft.domains.finance.search import topics

    out = [(("formula", f.id), name) for f in formulas().values() for name in f.zh + f.en]
    out += [
        (("formula", s["default"]), name) for s in families().values() for name in s["zh"] + s["en"]
    ]
    out += [(("topic", t.id), p) for t in topics().values() for ps in t.ask.values() for p in ps]
    out += [
        (("metric", m.id), lbl) for m in metrics().values() for lbl in m.labels if _one_word(lbl)
    ]
    return tuple(out)


def _one_word(label: str) -> bool:
    return len(label.split()) == 1 if label[0].isascii() else len(label) <= 2


def _in_langs(by_lang: dict[str, tuple[str, ...]], langs: tuple[str, ...]) -> list[str]:
    return [phrase for lang in langs for phrase in by_lang.get(lang, ())]


def find(tokens: list[str], folded: str, phrase: str) -> list[tuple[str, int, int]]:
    """Where a query (its ``tokens`` and ``fold``-ed text) mentions ``phrase``: ``("zh", start,
    end)`` character spans of ``folded`` for a Chinese phrase, ``("en", start, end)`` token
    spans for an English one."""
    if not phrase[0].isascii():
        needle = fold(phrase)
        return [
            ("zh", m.start(), m.start() + len(needle))
            for m in re.finditer(re.escape(needle), folded)
        ]
    wanted = phrase_tokens(phrase)
    n = len(wanted)
    if not n:
        return []
    return [
        ("en", i, i + n) for i in range(len(tokens) - n + 1) if tuple(tokens[i : i + n]) == wanted
    ]


def fold(text: str) -> str:
    """NFKC, lower case, no whitespace: how a Chinese phrase is looked for."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text).lower())


@cache
def phrase_tokens(phrase: str) -> tuple[str, ...]:
    return tuple(tokenize(phrase))


@cache
def phrase_terms(phrase: str) -> tuple[str, ...]:
    """A phrase's tokens and word pairs: what it adds to a query."""
    tokens = phrase_tokens(phrase)
    return tokens + tuple(word_pairs(list(tokens)))


def _is_word(token: str) -> bool:
    return "a" <= token[0] <= "z"
