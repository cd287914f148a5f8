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
