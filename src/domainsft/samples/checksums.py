"""Check digits of the identifiers planted as personal data.

The redaction stage is tested against these numbers, so each one must pass the same validation a
real detector would apply; a random 18-digit string would teach the detector nothing.
"""

from __future__ import annotations

# GB 11643-1999 (resident ID number): weights 2^(17-i) mod 11 and the check-character table.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# GB 32100-2015 (unified social credit code): 31-symbol alphabet without I, O, S, V, Z.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# GB 11714-1997 (organisation code), embedded as characters 9-17 of a USCC.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def id_card_check(first17: str) -> str:
    """Check character (0-9 or X) for the first 17 digits of a resident ID number."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError(f"need 17 digits, got {first17!r}")
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def is_valid_id_card(value: str) -> bool:
    v = value.strip().upper()
    return len(v) == 18 and v[:17].isdigit() and id_card_check(v[:17]) == v[17]


def luhn_check(payload: str) -> str:
    """Luhn digit to append to ``payload`` (bank card numbers, ISO/IEC 7812)."""
    total = 0
    # Walking from the right, the digit next to the check digit is the first to be doubled.
    for i, c in enumerate(reversed(payload)):
        d = int(c)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str((10 - total % 10) % 10)


def is_valid_luhn(value: str) -> bool:
    digits = value.replace(" ", "")
    return digits.isdigit() and luhn_check(digits[:-1]) == digits[-1]


def org_code_check(first8: str) -> str:
    """GB 11714 check character for an 8-character organisation code body."""
    total = sum(_char_value(c) * w for c, w in zip(first8, _ORG_WEIGHTS, strict=True))
    c = 11 - total % 11
    return {10: "X", 11: "0"}.get(c, str(c))


def uscc_check(first17: str) -> str:
    """GB 32100 check character for the first 17 characters of a unified social credit code."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(value: str) -> bool:
    v = value.strip().upper()
    if len(v) != 18 or any(c not in USCC_ALPHABET for c in v):
        return False
    return uscc_check(v[:17]) == v[17]


def _char_value(c: str) -> int:
    # GB 11714 values letters A=10 ... Z=35, like base-36 digits.
    return int(c, 36)
