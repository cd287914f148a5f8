"""Text → BM25 tokens, for Chinese and English pages alike, with the field's standard libraries.

What a token is:

* The text is NFKC-normalised (full-width ``１２３`` and ``（`` become ``123`` and ``(``) and
  lower-cased.
* A run of Chinese characters is segmented by **jieba** in search mode (``cut_for_search``):
  each dictionary word and also the dictionary words inside it, so that 净利润 gives 净利,
  利润 and 净利润 and a query for 利润 still meets it. jieba is loaded once per process, on the
  first Chinese text, with its logging quieted (it prints its dictionary loading to stderr).
* An English word is stemmed by **PyStemmer**'s Snowball English stemmer (``operations`` and
  ``operating`` → ``oper``, ``revenues`` → ``revenu``); ``r&d`` and ``p&l`` stay one word.
* A number is one token with its thousands separators dropped and trailing fraction zeros cut,
  so that ``1,234.50``, ``1234.5`` and ``1,234.5`` meet; a sign or brackets are not part of it.
* Stop words are dropped: NLTK's English list (as bm25s ships it) and a short Chinese list of
  function words. Chinese lists made for general text (bm25s's has 800 entries) also drop
  words such as 以上, 增加 and 今年 that carry meaning in a report, so a short list is kept here.
* Punctuation and other symbols are not tokens.

``TOKENIZER_VERSION`` names these rules in the on-disk cache: change it with any rule.
"""

from __future__ import annotations

import itertools
import logging
import re
import unicodedata
from functools import cache

TOKENIZER_VERSION = "jieba-search+snowball-en+num+pairs+figures/3"

_TOKEN = re.compile(
    r"(?P<num>\d+(?:,\d{3})*(?:\.\d+)?)"
    r"|(?P<word>[a-z]+(?:&[a-z]+)*)"
    r"|(?P<cjk>[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)"
)
# Function words and question words: they say nothing about which page holds an answer.
_ZH_FUNCTION_WORDS = """
    的 了 和 与 及 或 是 在 为 对 于 由 以 其 之 等 也 而 并 从 被 将 把 就 都
    吗 呢 吧 啊 请 请问 多少 是多少 什么 哪些 哪个 怎样 如何 几 个 该"""
ZH_STOPWORDS = frozenset(_ZH_FUNCTION_WORDS.split())


def tokenize(text: str) -> list[str]:
    """``净利润 1,234.50 Revenues`` → ``净利 利润 净利润 1234.5 revenu`` (see the module doc)."""
    out: list[str] = []
    words: list[str] = []
    for m in _TOKEN.finditer(unicodedata.normalize("NFKC", text).lower()):
        kind, token = m.lastgroup, m.group()
        if kind == "word":
            if token not in _en_stopwords():
                out.append(token)
                words.append(token)
        elif kind == "num":
            out.append(normalise_number(token))
        else:
            out.extend(t for t in _jieba().cut_for_search(token) if t not in ZH_STOPWORDS)
    if words:  # stem in one call: PyStemmer's batch call is several times faster
        stems = iter(_stemmer().stemWords(words))
        out = [next(stems) if _is_word(t) else t for t in out]
    return out


def word_pairs(tokens: list[str]) -> list[str]:
    """``a_b`` for each two English stems next to each other in ``tokens`` (stop words already
    dropped): ``net cash provided by operating activities`` gives ``net_cash cash_provid
    provid_oper oper_activ``. A pair token rewards a page that prints the words as a phrase
    over one that has them far apart (Metzler & Croft, 2005, "A Markov random field model for
    term dependencies"); no text token holds ``_``."""
    return [f"{a}_{b}" for a, b in itertools.pairwise(tokens) if _is_word(a) and _is_word(b)]


def normalise_number(token: str) -> str:
    """``1,234.50`` → ``1234.5``; ``2,000`` → ``2000``; ``0.250`` → ``0.25``."""
    digits = token.replace(",", "")
    if "." in digits:
        digits = digits.rstrip("0").rstrip(".")
    return digits


def _is_word(token: str) -> bool:
    # Only English words were collected for stemming; numbers and CJK words never start with a-z.
    return "a" <= token[0] <= "z"


@cache
def _en_stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN_PLUS

    return frozenset(STOPWORDS_EN_PLUS)


@cache
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


@cache
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba
