"""The evidence block of a prompt: passages of report pages, each under its page marker.

One renderer for every prompt that shows report text to a model: the dataset builder's
grounded examples, the teacher's page chunks, the eval suites that retrieve pages and the
assistant. Training, evaluation and serving therefore show the model the same context, word
for word. The header and the page marker are the domain pack's phrases (``templates.yaml``,
``context``), in the language of the prompt.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from domainsft.domains.finance.templates import templates


@dataclass(frozen=True)
class Passage:
    """Text of one page (all of it or some lines); ``label`` names the report when a prompt
    shows several companies' pages."""

    doc_id: str
    page: int
    text: str
    label: str = ""


def context_phrases(lang: str) -> tuple[str, str]:
    """(context header, page marker with ``{page}``) of ``lang``."""
    ctx = templates()["context"]
    return ctx["header"][lang], ctx["page_marker"][lang]


def render_context(passages: Iterable[Passage], lang: str) -> str:
    """The header, then each passage as ``[label ][p. N]`` and its text; "" with none."""
    header, marker = context_phrases(lang)
    blocks = [
        f"{p.label + ' ' if p.label else ''}{marker.format(page=p.page)}\n{p.text}"
        for p in passages
    ]
    return f"{header}\n" + "\n\n".join(blocks) if blocks else ""
