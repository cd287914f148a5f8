"""Synthetic annual reports with ground truth: the embedded demo corpus.

``generate(cfg)`` writes one PDF per company x year x language (Chinese A-share style and
English US/UK style), plus ``truth.jsonl`` (every printed fact with its page), ``pii.jsonl``
(every planted personal datum) and ``manifest.json``. Same config, same bytes.
"""

from domainsft.samples.generate import build_reports, companies, generate
from domainsft.samples.sections import format_change
from domainsft.samples.statements import check as check_statement

__all__ = [
    "build_reports",
    "check_statement",
    "companies",
    "format_change",
    "generate",
]
