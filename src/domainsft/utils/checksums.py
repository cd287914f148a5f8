"""Check characters of the identifiers that count as personal data (PRC ID, bank card, USCC).

One implementation for the two sides that must agree: redaction recognises a number as
personal data only when its check character is valid, and the sample-report generator plants
numbers that pass exactly these checks.
"""

from __future__ import annotations

from datetime import date

# GB 11643-1999 / ISO 7064 MOD 11-2: weight of position i is 2^(17-i) mod 11.
_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_ID_CHECK = "10X98765432"  # (12 - sum mod 11) mod 11, written as the table in the standard


def gb11643_check_digit(s17: str) -> str:
    """Check digit ('0'-'9' or 'X') of the first 17 digits of a resident ID number."""
    if len(s17) != 17 or not s17.isascii() or not s17.isdigit():
        raise ValueError(f"need 17 digits, got {s17!r}")
    return _ID_CHECK[sum(int(c) * w for c, w in zip(s17, _ID_WEIGHTS, strict=True)) % 11]


def gb11643_valid(s: str) -> bool:
    """18-digit resident ID: check digit valid and birth date (positions 7-14) a real past date.

    The address code is only checked to start with 1-8; the list itself (GB/T 2260) changes.
    """
    if len(s) != 18 or not s[:17].isascii() or not s[:17].isdigit() or s[0] in "09":
        return False
    return gb11643_check_digit(s[:17]) == s[17].upper() and real_birth_date(s[6:14])


def real_birth_date(yyyymmdd: str) -> bool:
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= date.today()


def luhn_check_digit(s: str) -> str:
    """The digit that, appended to ``s``, makes the whole string pass the Luhn check."""
    if not s or not s.isascii() or not s.isdigit():
        raise ValueError(f"need digits, got {s!r}")
    return str((10 - _luhn_sum(s + "0")) % 10)


def luhn_valid(s: str) -> bool:
    """Luhn (ISO/IEC 7812-1) check over a string of digits."""
    return len(s) >= 2 and s.isascii() and s.isdigit() and _luhn_sum(s) == 0


def _luhn_sum(s: str) -> int:
    total = 0
    for i, c in enumerate(reversed(s)):
        d = int(c)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10


# GB 32100-2015: 31 characters (no I, O, S, V, Z); weight of position i is 3^i mod 31.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))


def gb32100_check_char(s17: str) -> str:
    """Check character of the first 17 characters of a unified social credit code."""
    if len(s17) != 17 or any(c not in _USCC_VALUE for c in s17):
        raise ValueError(f"need 17 characters from {USCC_ALPHABET}, got {s17!r}")
    total = sum(_USCC_VALUE[c] * w for c, w in zip(s17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def gb32100_valid(s: str) -> bool:
    """18-character unified social credit code with a valid check character."""
    if len(s) != 18 or any(c not in _USCC_VALUE for c in s):
        return False
    return gb32100_check_char(s[:17]) == s[17]


# GB 11714-1997 (organisation code), embedded as characters 9-17 of a USCC.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def gb11714_check_char(first8: str) -> str:
    """GB 11714 check character for an 8-character organisation code body."""
    # Characters take their base-36 values (A=10 ... Z=35).
    total = sum(int(c, 36) * w for c, w in zip(first8, _ORG_WEIGHTS, strict=True))
    c = 11 - total % 11
    return {10: "X", 11: "0"}.get(c, str(c))
