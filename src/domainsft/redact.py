"""Redaction of personal data in page text, with typed placeholders and counts (never values).

What keeps financial figures safe: every numeric pattern refuses to start or end next to a digit,
a letter, or a ``.``/``,`` that continues a number (``13800138000.00``, ``1,175,301,034.32``), and
ID cards, bank cards and credit codes are redacted only when their check character is valid:

* ``id_card``: 18-character resident ID, GB 11643-1999 (ISO 7064 MOD 11-2) check digit and a
  real birth date. A 15-digit legacy ID (GB 11643-1989) has no check digit, so it is redacted
  only within a dozen characters after an ID label (身份证, 证件号, ID card/No./number).
* ``bank_card``: 16-19 digits, plain or in groups of four, Luhn-valid (ISO/IEC 7812-1) and with
  a card-issuer prefix (4, 51-55, 35, 6x): a row of years such as ``2019 2018 2017 2016`` is not
  a card even when it happens to pass Luhn.
* ``uscc``: unified social credit code, GB 32100-2015 check character.

Phones have no checksum, so they rely on shape: a Chinese mobile is exactly 11 digits
``1[3-9]…``; a landline needs a real area code (``0`` + 2-3 digits) and a separator; North-
American numbers need the 3-3-4 shape with ``-``/``.`` before the last four (one separator
throughout when there is no ``+1``/parentheses); other international numbers need a leading
``+`` and 9-15 digits (ITU-T E.164). Years, dates, stock codes, page numbers and percentages
match none of these.

``keep_disclosed_contacts``: a phone or e-mail is kept when it follows a disclosed corporate role
(董事会秘书, 证券事务代表, 投资者关系, Investor Relations, Company Secretary …) within
``ROLE_WINDOW`` characters — the profile table of a Chinese report prints the phone two to four
rows below the role heading. A bare field label (联系电话, 电子信箱) is not enough: reports print
the same label beside a private person's number (a defendant in a lawsuit, a shareholder).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable

from domainsft.config import RedactConfig
from domainsft.utils.checksums import gb11643_valid, gb32100_valid, luhn_valid, real_birth_date

PLACEHOLDERS = {
    "id_card": "[ID_CARD]",
    "uscc": "[USCC]",
    "bank_card": "[BANK_CARD]",
    "email": "[EMAIL]",
    "phone": "[PHONE]",
}
# Checksum-validated types run first so that their digits are gone before the phone patterns,
# which have no checksum, look at the text. Cards get a second pass after phones: a grouped
# card printed right after a grouped mobile (``187 6098 8675 6222 6251 …``) reads as one long
# digit run until the phone is gone.
_ORDER = ("id_card", "uscc", "bank_card", "email", "phone", "bank_card")
ROLE_WINDOW = 250

# --- patterns ---------------------------------------------------------------------------------

# A number may not start right after a digit/letter or "digit." / "digit,", nor end right before
# a digit/letter or ".digit" / ",digit": that is what keeps amounts and codes whole. The left
# check sits *after* the first character of each pattern (it looks at the character before
# that one), so every pattern starts with a plain character class and the regex engine can skip
# ahead to candidate positions: 3x faster on a page of figures than a leading lookbehind.
_LB = r"(?<![0-9A-Za-z].)(?<!\d[.,].)"
_R = r"(?![0-9A-Za-z])(?![.,]\d)"

_ID_RE = re.compile(r"([1-8]" + _LB + r"\d{16}[\dXx])" + _R)
_ID15_RE = re.compile(r"([1-8]" + _LB + r"\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3})" + _R)
# A 15-digit legacy ID (GB 11643-1989) has no check digit: redact it only after an ID label.
# Case spelled out (no re.IGNORECASE) so that every alternative starts with a literal character
# and the page-wide search can skip ahead (see _phone_pattern).
_ID_LABEL_TEXT = r"(?:身份证|证件号|ID\s*(?:card|Card|CARD|No|NO|number|Number))"
_ID_LABEL_ANY = re.compile(_ID_LABEL_TEXT)
_ID_LABEL = re.compile(_ID_LABEL_TEXT + r"[^\n]{0,12}$")
_USCC_RE = re.compile(r"([1-9ANY]" + _LB + r"[0-9A-HJ-NPQRTUWXY]\d{6}[0-9A-HJ-NPQRTUWXY]{10})" + _R)
# Issuer prefixes (ISO/IEC 7812 IIN): Visa 4, Mastercard 51-55, JCB 35, UnionPay/Discover 6x.
_IIN = re.compile(r"4|5[1-5]|35|6")
_CARD_RE = re.compile(
    r"([3-6]" + _LB + r"(?:\d{15,18}|\d{3}(?P<sep>[ -])\d{4}(?:(?P=sep)\d{4}){2}"
    r"(?:(?P=sep)\d{1,3})?))" + _R
)
_EMAIL_RE = re.compile(
    r"[A-Za-z0-9](?<![A-Za-z0-9._%+-].)[A-Za-z0-9._%+-]*@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
    r"\.[A-Za-z]{2,24}(?![A-Za-z0-9-])"
)
# Phones: (first characters, rest) pairs; see _phone_pattern for why the first character is
# separate. A number may also not start right after "+" (it would be a cut international one).
_PLB = r"(?<![0-9A-Za-z+].)(?<!\d[.,].)"
_MOBILE = r"1[3-9]\d(?:[ -]?\d{4}){2}"  # 11 digits, optionally grouped 3-4-4
_AREA = r"(?:[12]\d|[3-9]\d{2})"  # mainland area code without its leading 0: 10, 21, 571 …
_LOCAL = r"[2-9]\d{2,3}[ -]?\d{4}(?: ?(?:转|ext\.?|x) ?\d{1,5})?"  # 7-8 digits, 2-9 first
_AFTER_86 = r"86[ -]?(?:" + _MOBILE + r"|[(（]?0?" + _AREA + r"[)）]?[ -]?" + _LOCAL + r")"
_EXCHANGE = r"[2-9]\d{2}[.-]\d{4}"  # NANP exchange + line number
_PHONE_ALTS = (
    ("+", _AFTER_86),  # +86 mobile or landline
    ("0", r"086[ -]?(?:" + _MOBILE + r"|0?" + _AREA + r"[ -]?" + _LOCAL + r")"),  # 0086 …
    ("(（", r"\+?86[)）] ?" + _MOBILE),  # (+86) 138 …
    ("1", r"(?<![-−]1)" + _MOBILE[1:]),  # bare mobile, not a negative amount
    ("(（", r"0" + _AREA + r"[)）] ?" + _LOCAL),  # (021) 5888-1234, （0755）82080387
    ("0", _AREA + r"[ -]" + _LOCAL),  # 0571-88886666, 021-5888 1234, 010-8888-6666
    ("+", r"1[ .-]?(?:\([2-9]\d{2}\) ?|[2-9]\d{2}[ .-])" + _EXCHANGE),  # +1 (212) 555-0123
    ("1", r"[ .-]?(?:\([2-9]\d{2}\) ?|[2-9]\d{2}[ .-])" + _EXCHANGE),  # 1-877-277-9931
    ("(", r"[2-9]\d{2}\) ?" + _EXCHANGE),  # (212) 555-0123
    # 212-555-0123 / 212.555.0123: one separator throughout (252.204-7012 is a clause number)
    ("23456789", r"\d{2}(?:-[2-9]\d{2}-|\.[2-9]\d{2}\.)\d{4}"),
    ("+", r"[2-9]\d{0,2}[ -]?(?:\(0?\d{1,4}\)[ -]?)?\d{1,4}(?:[ -]\d{2,4}){1,4}"),  # +44 20 …
)


def _phone_pattern() -> re.Pattern[str]:
    # Python's regex engine skips ahead to candidate positions only when every alternative starts
    # with one literal character; so each first character gets its own alternative, holding the
    # rests that may follow it in their original order (5x faster on a page of figures).
    rests: dict[str, list[str]] = {}
    for heads, rest in _PHONE_ALTS:
        for head in heads:
            rests.setdefault(head, []).append(rest)
    alts = [re.escape(h) + _PLB + "(?:" + "|".join(r) + ")" for h, r in rests.items()]
    return re.compile("(?:" + "|".join(alts) + ")" + _R)


_PHONE_RE = _phone_pattern()
_DIGITS = re.compile(r"\d")

_ROLE_ANCHORS = re.compile(
    r"董事会秘书|证券事务代表|投资者关系|联系人和联系方式|董秘|Investor\s+Relations|"
    r"(?:Corporate|Company|Board)\s+Secretary|Secretary\s+to\s+the\s+Board",
    re.I,
)


class Redactor:
    """Replaces personal data with typed placeholders; see the module docstring for the rules."""

    def __init__(self, cfg: RedactConfig | None = None) -> None:
        self.cfg = cfg or RedactConfig()
        wanted = set(self.cfg.types)
        self._passes = [t for t in _ORDER if t in wanted] if self.cfg.enabled else []

    def redact(self, text: str) -> tuple[str, Counter[str]]:
        """Return the redacted text and the number of redactions by type."""
        counts: Counter[str] = Counter()
        for kind in self._passes:
            text = _PASSES[kind](self, text, counts)
        return text, counts

    def _id_card(self, text: str, counts: Counter[str]) -> str:
        def repl(m: re.Match[str]) -> str:
            return self._hit("id_card", counts) if gb11643_valid(m.group(1)) else m.group()

        def repl15(m: re.Match[str]) -> str:
            labelled = _ID_LABEL.search(m.string, max(0, m.start() - 24), m.start())
            if labelled and real_birth_date("19" + m.group(1)[6:12]):
                return self._hit("id_card", counts)
            return m.group()

        text = _ID_RE.sub(repl, text)
        if _ID_LABEL_ANY.search(text):
            text = _ID15_RE.sub(repl15, text)
        return text

    def _uscc(self, text: str, counts: Counter[str]) -> str:
        def repl(m: re.Match[str]) -> str:
            return self._hit("uscc", counts) if gb32100_valid(m.group(1)) else m.group()

        return _USCC_RE.sub(repl, text)

    def _bank_card(self, text: str, counts: Counter[str]) -> str:
        def repl(m: re.Match[str]) -> str:
            digits = "".join(_DIGITS.findall(m.group(1)))
            ok = 16 <= len(digits) <= 19 and _IIN.match(digits) is not None and luhn_valid(digits)
            return self._hit("bank_card", counts) if ok else m.group()

        return _CARD_RE.sub(repl, text)

    def _email(self, text: str, counts: Counter[str]) -> str:
        if "@" not in text:
            return text
        return self._contact_pass(_EMAIL_RE, "email", text, counts, lambda s: True)

    def _phone(self, text: str, counts: Counter[str]) -> str:
        return self._contact_pass(_PHONE_RE, "phone", text, counts, _phone_length_ok)

    def _contact_pass(
        self,
        pattern: re.Pattern[str],
        kind: str,
        text: str,
        counts: Counter[str],
        accept: Callable[[str], bool],
    ) -> str:
        keep = _DisclosedContacts(text) if self.cfg.keep_disclosed_contacts else None

        def repl(m: re.Match[str]) -> str:
            if not accept(m.group()) or (keep is not None and keep.covers(m.start())):
                return m.group()
            return self._hit(kind, counts)

        return pattern.sub(repl, text)

    @staticmethod
    def _hit(kind: str, counts: Counter[str]) -> str:
        counts[kind] += 1
        return PLACEHOLDERS[kind]


_PASSES: dict[str, Callable[[Redactor, str, Counter[str]], str]] = {
    "id_card": Redactor._id_card,
    "uscc": Redactor._uscc,
    "bank_card": Redactor._bank_card,
    "email": Redactor._email,
    "phone": Redactor._phone,
}


def _phone_length_ok(s: str) -> bool:
    # ITU-T E.164 caps an international number at 15 digits (+ up to 2 for an extension);
    # with a country code, fewer than 9 digits is not a complete number; without one, a
    # mainland landline has at least 7 (local number) and 0086 + mobile at most 15.
    n = len(_DIGITS.findall(s))
    return 9 <= n <= 17 if s.startswith("+") else 7 <= n <= 16


class _DisclosedContacts:
    """Positions after which a phone/e-mail is a disclosed corporate contact, not personal data."""

    def __init__(self, text: str) -> None:
        self.role_ends = [m.end() for m in _ROLE_ANCHORS.finditer(text)]

    def covers(self, pos: int) -> bool:
        return _any_in(self.role_ends, pos - ROLE_WINDOW, pos)


def _any_in(sorted_ends: list[int], lo: int, hi: int) -> bool:
    i = bisect_left(sorted_ends, lo)
    return i < len(sorted_ends) and sorted_ends[i] <= hi
