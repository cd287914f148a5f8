"""Financial term normalisation: annotate metric labels in page text, never rewrite it.

The labels of the finance taxonomy are compiled, once per process, into two trie-shaped regexes:
the Chinese one is scanned over the page, the English one is tried only where the first word of
some English label occurs (found with ``str.find``, far faster than running a regex over every
letter of an English page). In a trie the longest label wins at each position (every
continuation is tried before ending), and matches are taken left to right without overlap:
归属于上市公司股东的扣除非经常性损益的净利润 is one ``net_profit_deducted`` term, never a
``net_profit`` inside it.

Matching rules:

* Chinese labels match across the spaces and the single line break that PDF extraction puts
  inside a wrapped table label (``归属于上市公司股东\\n的净利润``); full- and half-width
  parentheses are interchangeable. The span covers the label as printed, break included.
* English labels are case-insensitive, need an ASCII word boundary on both sides (a CJK
  neighbour counts as a boundary, so ``EBITDA为`` matches), and any whitespace between words.
* Generic labels — single English words or two-character Chinese words of ``info`` and
  ``employees`` metrics (硕士, PhD, Auditor, Email …), plus ``Sales`` and ``Property`` — are
  everyday words in prose, so they are annotated only as a row/field label: first on their line.
* Some longer phrases contain a label but name something else (递延所得税资产 is a deferred tax
  asset, not income tax; 扣除非经常性损益后的基本每股收益 is not ``eps_basic``). They are listed in
  ``_NOT_TERMS``: matched like labels, so they win as the longer match, and then dropped.
* Labels that are not usable are skipped: a label that starts with a lowercase letter (a fragment
  of a YAML flow list split at a comma, e.g. ``net``) or one claimed by two metrics.
* Derived metrics (EBITDA) are annotated with their own id; consumers see ``derived`` in the
  taxonomy.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from functools import cache

from domainsft.domains.finance import metrics
from domainsft.records import TermAnnotation

_NOT_TERMS = (
    "递延所得税",
    "存货跌价准备",
    "扣除非经常性损益后的基本每股收益",
    "扣除非经常性损益后的稀释每股收益",
    "扣除非经常性损益后的加权平均净资产收益率",
    "Deferred income taxes",
    "Deferred income tax",
    "Net income per share",
    "Net earnings per share",
)
_GENERIC_STATEMENTS = frozenset({"info", "employees"})
_ALWAYS_GENERIC = frozenset({"sales", "property"})

_CJK_GAP = r"[ \t]*(?:\r?\n[ \t]*)?"  # spaces and one line break inside a wrapped label
_EN_SPACE = r"\s+"
_EN_RIGHT = r"(?![A-Za-z0-9])"
_CHAR_CLASS = {"（": "[（(]", "(": "[（(]", "）": "[）)]", ")": "[）)]", "'": "['’]", "’": "['’]"}
_KEY_FOLD = str.maketrans({"（": "(", "）": ")", "’": "'"})
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_WS = re.compile(r"\s+")


@dataclass
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    end: str | None = None  # None, "zh" or "en": a label ends here (and which boundary applies)


@dataclass(frozen=True)
class _Matcher:
    zh: re.Pattern[str]  # Chinese labels, scanned with finditer
    en: re.Pattern[str]  # English labels, tried only where one of ``en_heads`` starts a word
    en_heads: tuple[str, ...]  # lowercase first words of English labels
    metric_of: dict[str, str | None]  # folded label -> metric id (None: a _NOT_TERMS phrase)
    generic: frozenset[str]  # folded labels annotated only first on their line


def annotate_terms(text: str) -> list[TermAnnotation]:
    """Metric labels found in ``text``, left to right; ``text[a.start:a.end] == a.surface``."""
    m = _matcher()
    hits = [] if text.isascii() else list(m.zh.finditer(text))
    hits += _english_hits(m, text)
    hits.sort(key=lambda h: h.start())  # the scripts differ, so the two lists never overlap
    out: list[TermAnnotation] = []
    for hit in hits:
        surface = hit.group()
        key = _fold(surface)
        metric = m.metric_of.get(key)
        if metric is None or (key in m.generic and not _starts_line(text, hit.start())):
            continue
        out.append(TermAnnotation(hit.start(), hit.end(), surface, metric))
    return out


def _english_hits(m: _Matcher, text: str) -> list[re.Match[str]]:
    # Scanning a regex over every letter of an English page is slow in Python's engine; finding
    # the few label heads with str.find (C speed) and matching only there is ~8x faster.
    lower = text.lower()
    if len(lower) != len(text):  # a few non-ASCII capitals lowercase to two characters
        lower = text.translate(_ASCII_LOWER)
    starts = sorted({p for head in m.en_heads for p in _find_all(lower, head)})
    hits: list[re.Match[str]] = []
    end = 0
    for p in starts:
        if p < end or (p and lower[p - 1].isascii() and lower[p - 1].isalnum()):
            continue
        hit = m.en.match(text, p)
        if hit:
            hits.append(hit)
            end = hit.end()
    return hits


def _find_all(haystack: str, needle: str) -> list[int]:
    out = []
    p = haystack.find(needle)
    while p >= 0:
        out.append(p)
        p = haystack.find(needle, p + 1)
    return out


def _starts_line(text: str, pos: int) -> bool:
    line_start = text.rfind("\n", 0, pos) + 1
    return not text[line_start:pos].strip()


def _fold(label: str) -> str:
    """The lookup key of a label or matched surface: no whitespace, lowercase, half-width."""
    return _WS.sub("", label).lower().translate(_KEY_FOLD)


def _is_english(label: str) -> bool:
    return label[0].isascii()


@cache
def _matcher() -> _Matcher:
    owners: dict[str, set[str]] = {}
    for metric in metrics().values():
        for label in metric.labels:
            if label and not label[0].islower():
                owners.setdefault(_fold(label), set()).add(metric.id)
    metric_of: dict[str, str | None] = {
        key: next(iter(ids)) for key, ids in owners.items() if len(ids) == 1
    }
    for phrase in _NOT_TERMS:
        metric_of[_fold(phrase)] = None
    labels = {lbl for m in metrics().values() for lbl in m.labels} | set(_NOT_TERMS)
    labels = {lbl for lbl in labels if lbl and _fold(lbl) in metric_of}
    zh_root, en_root = _Node(), _Node()
    for label in sorted(labels):
        _insert(en_root if _is_english(label) else zh_root, label)
    en_labels = [lbl for lbl in labels if _is_english(lbl)]
    return _Matcher(
        zh=re.compile(_render(zh_root)),
        en=re.compile(_render(en_root)),
        en_heads=_heads(en_labels),
        metric_of=metric_of,
        generic=_generic_keys(metric_of),
    )


def _heads(en_labels: list[str]) -> tuple[str, ...]:
    """Lowercase first words (up to any apostrophe); a head that starts with another is dropped,
    since finding the shorter one finds it too."""
    words = {re.split(r"['’]", lbl.split()[0].lower())[0] for lbl in en_labels}
    return tuple(sorted(w for w in words if not any(w != o and w.startswith(o) for o in words)))


def _generic_keys(metric_of: dict[str, str | None]) -> frozenset[str]:
    out = set(_ALWAYS_GENERIC)
    for metric in metrics().values():
        if metric.statement not in _GENERIC_STATEMENTS:
            continue
        for label in metric.labels:
            one_word = len(label.split()) == 1 if _is_english(label) else len(label) <= 2
            if one_word and _fold(label) in metric_of:
                out.add(_fold(label))
    return frozenset(out)


def _fragments(label: str) -> list[str]:
    """Regex pieces of one label, one per trie edge."""
    english = _is_english(label)
    words = label.split() if english else [label]
    frags: list[str] = []
    for w_index, word in enumerate(words):
        if w_index:
            frags.append(_EN_SPACE)
        for c_index, ch in enumerate(word):
            if c_index and not english:
                frags.append(_CJK_GAP)
            frags.append(_char_pattern(ch))
    return frags


def _char_pattern(ch: str) -> str:
    # Case folding is spelled out per letter: re.IGNORECASE would also fold non-ASCII letters.
    if ch in _CHAR_CLASS:
        return _CHAR_CLASS[ch]
    if ch.isascii() and ch.isalpha():
        return f"[{ch.upper()}{ch.lower()}]"
    return re.escape(ch)


def _insert(root: _Node, label: str) -> None:
    node = root
    for frag in _fragments(label):
        node = node.children.setdefault(frag, _Node())
    node.end = "en" if _is_english(label) else "zh"


def _render(node: _Node) -> str:
    """Trie -> regex: every continuation is tried before ending here, so the longest label wins."""
    alts = [frag + _render(child) for frag, child in node.children.items()]
    if node.end == "en":
        alts.append(_EN_RIGHT)
    elif node.end == "zh":
        alts.append("")
    if len(alts) == 1:
        return alts[0]
    return "(?:" + "|".join(alts) + ")"
