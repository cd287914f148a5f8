"""Text helpers shared by the fact readers: the compact form every vocabulary pattern matches."""

from __future__ import annotations

import re
from functools import lru_cache

# Full-width brackets, colons and slashes, curly quotes and dash variants fold to one spelling, so
# that 其中：营业收入 / 其中:营业收入 and Stockholders’ / Stockholders' look the same to a pattern.
_FOLD = str.maketrans(
    {
        "（": "(",
        "）": ")",
        "：": ":",
        "／": "/",
        "’": "'",
        "‘": "'",
        "“": '"',
        "”": '"',
        "，": ",",
        "－": "-",
        "‐": "-",
        "‑": "-",
        "–": "-",
        "．": ".",
        "％": "%",
    }
)
_WS = re.compile(r"\s+")


@lru_cache(maxsize=131072)  # labels, headers and running heads recur across pages
def compact(text: str) -> str:
    """Lower-cased, whitespace removed, punctuation folded: the form vocabulary patterns see.

    PDF text layers break words inside ("Consolidated Balance Shee t"), so spaces carry no
    meaning here.
    """
    return _WS.sub("", text).lower().translate(_FOLD)


def squash(text: str) -> str:
    """Runs of whitespace to one space, trimmed: evidence and labels as a reader sees them."""
    return _WS.sub(" ", text).strip()
