"""Page retrieval over an ingested corpus, shared by the assistant, evaluation and the dataset
builder: jieba/PyStemmer tokens, bm25s scoring, query expansion from the domain pack and an
on-disk token cache.

    index = PageIndex.open("runs/corpus")           # reads pages.jsonl (cached tokens)
    index.search("2023年营业收入是多少？", k=3, docs=[doc_id])  # -> [Hit(doc_id, page, score)]
"""

from domainsft.retrieval.bm25 import Bm25
from domainsft.retrieval.expand import DEFAULT_WEIGHTS, Query, Weights, expand_query
from domainsft.retrieval.index import Hit, PageIndex
from domainsft.retrieval.reports import ReportPages
from domainsft.retrieval.tokenize import TOKENIZER_VERSION, tokenize

__all__ = [
    "DEFAULT_WEIGHTS",
    "TOKENIZER_VERSION",
    "Bm25",
    "Hit",
    "PageIndex",
    "Query",
    "ReportPages",
    "Weights",
    "expand_query",
    "tokenize",
]
