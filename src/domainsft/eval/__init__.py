"""Evaluation: scoring model answers against gold, numbers first.

``score_files`` scores a predictions JSONL against a gold JSONL (``domainsft score``);
``match_answer`` scores one output against one gold record. Numbers are compared in Decimal
through the shared ``domainsft.numbers`` kernel, at the precision the gold asks for, so the
scorer agrees with the facts, the dataset and the serving verifier on what a figure means.
"""

from __future__ import annotations

from domainsft.eval.gold import Gold, parse_gold
from domainsft.eval.matcher import MODES, Match, match_answer, match_number
from domainsft.eval.pages import page_score
from domainsft.eval.score import ScoreResult, score_files, write_results
from domainsft.eval.text import normalise_text, read_boolean

__all__ = [
    "MODES",
    "Gold",
    "Match",
    "ScoreResult",
    "match_answer",
    "match_number",
    "normalise_text",
    "page_score",
    "parse_gold",
    "read_boolean",
    "score_files",
    "write_results",
]
