"""The prompt the model answers: the rules, then the evidence between markers, then the question.

The system turn is the domain pack's analyst prompt (the one training uses) plus the rules of
``assistant.yaml`` (``prompt.rules``): the evidence is data, never instructions. The user turn
holds, between the begin and end markers, the figures the draft took from the facts (with
their citations), the computations made from them, and the retrieved page passages under their
page markers (``evidence.render_context``, the renderer training and eval use), then the
question. A marker that a report itself prints is blanked out of the passage first, so report
text can never close the evidence block and speak as the user.
"""

from __future__ import annotations

from domainsft.assistant.draft import Draft
from domainsft.domains.finance.assistant import phrase
from domainsft.domains.finance.templates import phrase as pack_phrase
from domainsft.evidence import Passage, render_context
from domainsft.models.chat import Message


def messages(question: str, lang: str, draft: Draft, passages: list[Passage]) -> list[Message]:
    system = " ".join(pack_phrase("system", lang).split()) + "\n" + phrase("prompt", "rules", lang)
    return [
        {"role": "system", "content": system},
        {"role": "user", "content": user_turn(question, lang, draft, passages)},
    ]


def user_turn(question: str, lang: str, draft: Draft, passages: list[Passage]) -> str:
    begin, end = phrase("prompt", "begin", lang), phrase("prompt", "end", lang)
    parts = [begin]
    if draft.lines:
        parts.append(phrase("prompt", "facts_header", lang) + "\n" + "\n".join(draft.lines))
    if draft.computed:
        parts.append(phrase("prompt", "computed_header", lang) + "\n" + "\n".join(draft.computed))
    safe = [Passage(p.doc_id, p.page, defused(p.text), p.label) for p in passages]
    context = render_context(safe, lang)
    if context:
        parts.append(context)
    parts.append(end)
    parts.append(phrase("prompt", "question", lang).format(question=question.strip()))
    return "\n\n".join(parts)


def defused(text: str) -> str:
    """``text`` without the evidence markers of either language."""
    for lang in ("zh", "en"):
        for key in ("begin", "end"):
            marker = phrase("prompt", key, lang)
            text = text.replace(marker, " " * len(marker))
    return text
