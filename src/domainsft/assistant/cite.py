"""Citations of an answer: its page references checked and mended, and the list it carries.

A page reference of the answer vouches for the figure next to it (``grounding.citations``). When
the cited page does not print that figure and the verifier found it on another page of the
evidence, the reference is mended to that page ("第7页" → "第5页"); a reference whose figures the
evidence does not place is left as written. The answer's ``citations`` are then the sources of
its verified figures, each report page once, in the order the answer uses them, with the
printed line as the snippet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from domainsft.assistant.evidence import Evidence
from domainsft.assistant.verifier import Verification
from domainsft.grounding import citations

if TYPE_CHECKING:
    from domainsft.assistant.draft import Draft


@dataclass(frozen=True)
class Citation:
    source: str
    page: int
    snippet: str

    def to_dict(self) -> dict:
        return {"source": self.source, "page": self.page, "snippet": self.snippet}


def mend(text: str, checked: Verification, evidence: Evidence) -> tuple[str, int]:
    """``text`` with each page reference whose page does not print its figure moved to the page
    that does, and how many were moved. ``checked`` is the verification of ``text`` itself."""
    by_span = {n.span: n for n in checked.numbers}
    edits = []
    for page, figures in citations(text):
        if any(evidence.on_page(f, int(page.value)) for f in figures):
            continue
        sources = [by_span[f.span].source for f in figures if f.span in by_span]
        if not any(s is not None for s in sources):
            continue
        target = next(s.page for s in sources if s is not None)
        edits.append((page, target))
    out = text
    for page, target in sorted(edits, key=lambda e: e[0].span[0], reverse=True):
        start, end = page.span
        printed = out[start:end]
        out = out[:start] + printed.replace(str(int(page.value)), str(target), 1) + out[end:]
    return out, len(edits)


def listed(checked: Verification) -> list[Citation]:
    """The sources of the verified figures, each (report, page) once, in answer order."""
    seen: dict[tuple[str, int], Citation] = {}
    for n in sorted(checked.numbers, key=lambda n: n.span[0]):
        s = n.source
        if s is None or n.status not in ("verified", "corrected"):
            continue
        key = (s.doc_id, s.page)
        if key not in seen:
            seen[key] = Citation(s.source, s.page, s.snippet)
    return list(seen.values())


def quoted(d: Draft, sources: dict[str, str]) -> list[Citation]:
    """The report pages a draft quotes (an event's sentences), each once, with the sentence."""
    seen: dict[tuple[str, int], Citation] = {}
    for key, quote in zip(d.pages, d.quotes, strict=False):
        if key not in seen:
            seen[key] = Citation(sources.get(key[0], key[0]), key[1], quote)
    return list(seen.values())


def states(name: str, text: str) -> bool:
    """Whether ``text`` states ``name`` (a text fact), whatever its spacing and case."""
    return " ".join(name.split()).casefold() in " ".join(text.split()).casefold()


def named(
    d: Draft, answer: str, pages: dict[tuple[str, int], Any], sources: dict[str, str]
) -> list[Citation]:
    """The pages of the text facts (names, codes) a drafted answer states, each once, with the
    page's line that prints the name."""
    from domainsft.corpus import page_text

    seen: dict[tuple[str, int], Citation] = {}
    for f in d.facts:
        if f.unit != "text" or not states(f.value, answer):
            continue
        key = (f.doc_id, f.page)
        page = pages.get(key)
        if page is None or key in seen:
            continue
        line = next((x for x in page_text(page).splitlines() if f.value in x), f.value)
        seen[key] = Citation(sources.get(f.doc_id, f.doc_id), f.page, line.strip())
    return list(seen.values())
