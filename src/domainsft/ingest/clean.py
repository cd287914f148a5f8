"""Numeric and layout cleaning of page text.

All pages (codepoint and layout fixes that never change a number's digits):

1. Full-width digits ``０-９`` become ASCII (they are the same digits in another codepoint block).
2. Inside numbers, full-width ``，`` becomes ``,`` when it is a thousands separator (followed by
   exactly three digits), ``．`` between digits becomes ``.``, ``－``/``＋``/U+2212 before a digit
   become ``-``/``+``, ``％`` after a number becomes ``%``, and full-width parentheses around a
   bare number (``（123）``, an accounting negative; also ``（1）`` list markers) become ``(123)``.
3. Digit groups split by a thin space (U+2009, U+202F: the SI/ISO 80000-1 thousands separator,
   never a cell gap) are joined when they form real thousand groups.
4. De-hyphenation: an English word broken at a line end (``finan-\\ncial``) is re-joined when the
   hyphen follows a whole word ending in a lowercase letter and the next line starts with
   lowercase letters. When that word is in ``_COMPOUND_HEADS`` (``non-\\ncurrent``,
   ``long-\\nterm``, ``well-\\nknown``) the hyphen is kept and only the line break goes.
   Anything else (capitals, digits: ``COVID-\\n19``, ``3rd-\\nparty``) is left as printed.

OCR pages only, applied before the rules above (the text layer is the publisher's own text: its
numbers are never altered):

5. Letter/digit confusions inside a numeric token: ``O``/``o`` -> ``0``, ``l``/``I``/``|`` -> ``1``
   (``1,O47`` -> ``1,047``, ``2l.5`` -> ``21.5``). A token is a maximal run of digits, ``,``/``.``
   and those letters that touches no other ASCII letter; it is rewritten only when it holds a
   real digit and the result is a well-formed number. ``S``/``B`` are never touched (too often
   real letters in codes such as ``3S``), and ``|`` between two digits is left alone (a table
   rule between cells).
6. Full-width ``，`` between any two digits becomes ``,`` (OCR engines emit it inside numbers).
7. Digit groups split by ordinary spaces are joined (``1 647 392.15`` -> ``1647392.15``) when
   the first group has 1-3 digits and every following group exactly 3, so ``2019 2018`` or
   ``5 / 156`` are never merged. On a text layer a space may be a cell gap, so this is OCR-only.

Invariant (tested): with ``ocr=False`` the sequence of digits in the output equals the sequence
of digits in the input after full-width -> ASCII mapping.
"""

from __future__ import annotations

import re

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_FW_DIGIT = re.compile(r"[０-９]")

# Each pattern starts with a literal character and checks what precedes it with a lookbehind
# placed after that character, so the regex engine skips ahead to candidates (a leading
# lookbehind makes it try every position: 5-10x slower on a page of figures). Each pass also
# runs only when its trigger character occurs on the page.
_FW_COMMA_THOUSANDS = re.compile(r"，(?<=\d，)(?=\d{3}(?!\d))")
_FW_POINT = re.compile(r"．(?<=\d．)(?=\d)")
_FW_SIGN = re.compile(r"[－−＋](?=\d)")
_FW_PERCENT = re.compile(r"％(?:(?<=\d％)|(?<=\d\s％))")
_FW_PARENS = re.compile(r"（\s*([-+]?\d[\d,.]*%?)\s*）")
_THIN_GROUPS = re.compile(r"\d(?<![\d.,]\d)\d{0,2}(?:[\u2009\u202f]\d{3})+(?!\d)")
_SPACE_GROUPS = re.compile(r"\d(?<![\d.,]\d)\d{0,2}(?: \d{3})+(?!\d)")
_GROUP_SEPARATORS = re.compile(r"[ \u2009\u202f]")

# Words that form lexicalised hyphenated compounds in annual reports; after them a line-end
# hyphen is a real hyphen (``non-current`` per IFRS wording), not a typesetting break.
_COMPOUND_HEADS = frozenset(
    {"well", "long", "short", "non", "self", "year", "cross", "high", "low", "one", "two"}
    | {"three", "full", "part", "off", "fair", "third", "large", "small", "medium", "state"}
    | {"wholly", "so", "day", "fixed", "after", "end"}
)
_HYPHEN_BREAK = re.compile(r"[-\u00ad\u2010](?<=[a-z].)[ \t]*\r?\n[ \t]*([a-z]+)")
_WORD_BEFORE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]+$")
_LONGEST_WORD = 40  # how far back a broken word is looked for

_OCR_FW_COMMA = re.compile(r"，(?<=\d，)(?=\d)")
# A maximal run of digits, separators and confusable letters, touching no other letter.
_OCR_TOKEN = re.compile(r"(?<![A-Za-z\d|.,])[\dOolI|.,]*[OolI|][\dOolI|.,]*(?![A-Za-z\d|.,])")
_OCR_MAP = str.maketrans("OolI|", "00111")
_WELL_FORMED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_PIPE_BETWEEN_DIGITS = re.compile(r"\d\|\d")


def clean_text(text: str, *, ocr: bool) -> str:
    """Clean one page of text; see the module docstring for the exact rules."""
    if _FW_DIGIT.search(text):
        text = text.translate(_FULLWIDTH_DIGITS)
    if ocr:  # first, so that the digits it restores get the width rules too
        text = _fix_ocr_numbers(text)
    text = _normalise_width(text)
    if "\n" in text:
        text = _HYPHEN_BREAK.sub(_join_hyphen, text)
    return text


def _normalise_width(text: str) -> str:
    if "，" in text:
        text = _FW_COMMA_THOUSANDS.sub(",", text)
    if "．" in text:
        text = _FW_POINT.sub(".", text)
    if "－" in text or "−" in text or "＋" in text:
        text = _FW_SIGN.sub(lambda m: "+" if m.group() == "＋" else "-", text)
    if "％" in text:
        text = _FW_PERCENT.sub("%", text)
    if "（" in text:
        text = _FW_PARENS.sub(r"(\1)", text)
    if "\u2009" in text or "\u202f" in text:
        text = _THIN_GROUPS.sub(_drop_group_separators, text)
    return text


def _drop_group_separators(m: re.Match[str]) -> str:
    return _GROUP_SEPARATORS.sub("", m.group())


def _join_hyphen(m: re.Match[str]) -> str:
    left = _WORD_BEFORE.search(m.string, max(0, m.start() - _LONGEST_WORD), m.start())
    if left is None:  # preceded by a digit ("3rd-") or no whole word within reach: leave it
        return m.group()
    right = m.group(1)
    return f"-{right}" if left.group().lower() in _COMPOUND_HEADS else right


def _fix_ocr_numbers(text: str) -> str:
    text = _OCR_TOKEN.sub(_fix_ocr_token, text)
    if "，" in text:
        text = _OCR_FW_COMMA.sub(",", text)
    return _SPACE_GROUPS.sub(_drop_group_separators, text)


def _fix_ocr_token(m: re.Match[str]) -> str:
    token = m.group()
    core = token.strip(".,")
    if not any(c.isdigit() for c in core) or _PIPE_BETWEEN_DIGITS.search(core):
        return token
    fixed = core.translate(_OCR_MAP)
    if not _WELL_FORMED.fullmatch(fixed):
        return token
    lead = len(token) - len(token.lstrip(".,"))
    return token[:lead] + fixed + token[lead + len(core) :]
