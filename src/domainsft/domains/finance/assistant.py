"""The answer pipeline's phrases of the finance pack (``assistant.yaml``), loaded once."""

from __future__ import annotations

from functools import cache
from typing import Any

from domainsft.domains.finance import PACK_DIR
from domainsft.utils.yamlfile import read_yaml

PHRASES_FILE = PACK_DIR / "assistant.yaml"


@cache
def phrases() -> dict[str, Any]:
    return read_yaml(PHRASES_FILE, "assistant phrases")


def phrase(section: str, key: str, lang: str) -> str:
    """``assistant.yaml`` ``section.key`` in ``lang`` (English where the language has none)."""
    entry = phrases()[section][key]
    return str(entry.get(lang) or entry["en"]).strip()


def bare_question(text: str) -> str:
    """The question of a user turn that carries evidence in front of it; any other text as it is.

    Two shapes carry evidence: the answer pipeline's own prompt (the begin marker, the evidence,
    the end marker, then ``prompt.question``: the dataset's grounded examples are rendered that
    way) and the templates' context block (its header, the cited rows, a blank line, then the
    question). Report text inside the markers never holds a marker (the prompt blanks them), so
    the last end marker is the prompt's own.
    """
    from domainsft.domains.finance.templates import templates

    stripped = text.strip()
    for lang in ("zh", "en"):
        begin, end = phrase("prompt", "begin", lang), phrase("prompt", "end", lang)
        if stripped.startswith(begin) and end in stripped:
            rest = stripped.rsplit(end, 1)[1].strip()
            lead = phrase("prompt", "question", lang).split("{question}")[0]
            return rest[len(lead) :].strip() if lead and rest.startswith(lead) else rest
    headers = tuple(templates()["context"]["header"].values())
    if stripped.startswith(headers) and "\n\n" in stripped:
        return stripped.rsplit("\n\n", 1)[1].strip()
    return stripped
