from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest

from domainsft.domains.finance import metrics
from domainsft.samples import fonts
from domainsft.utils.checksums import (
    gb11643_check_digit as id_card_check,
)
from domainsft.utils.checksums import (
    gb11643_valid as is_valid_id_card,
)
from domainsft.utils.checksums import (
    gb11714_check_char as org_code_check,
)
from domainsft.utils.checksums import (
    gb32100_check_char as uscc_check,
)
from domainsft.utils.checksums import (
    gb32100_valid as is_valid_uscc,
)
from domainsft.utils.checksums import (
    luhn_check_digit as luhn_check,
)
from domainsft.utils.checksums import luhn_valid


def is_valid_luhn(value: str) -> bool:
    return luhn_valid(value.replace(" ", ""))


_FACT_FIELDS = {
    "fact_id",
    "doc",
    "company",
    "company_id",
    "stock_code",
    "lang",
    "fiscal_year",
    "metric",
    "value",
    "unit",
    "scale",
    "printed",
    "page",
    "section",
    "scanned",
}
_PHONE = re.compile(
    r"^(\+86 )?1[3-9]\d( ?\d{4}){2}$|^(\(0\d{2,3}\) |0\d{2,3}-)[\d -]{7,9}$"
    r"|^\(\d{3}\) 555-01\d\d$|^\+44 20 7946 0\d{3}$"
)


def test_checksums_against_published_examples() -> None:
    assert is_valid_luhn("79927398713") and not is_valid_luhn("79927398710")
    assert luhn_check("7992739871") == "3"
    assert id_card_check("11010519491231002") == "X" and is_valid_id_card("11010519491231002X")
    assert not is_valid_id_card("110105194912310021")
    assert is_valid_uscc("91350100M000100Y43") and uscc_check("91350100M000100Y4") == "3"
    assert org_code_check("M000100Y") == "4"
    assert not is_valid_uscc("91350100M000100Y44")


def test_planted_personal_data_is_valid(corpus: dict[str, Any]) -> None:
    pii = corpus["pii"]
    kinds = Counter(p["type"] for p in pii)
    assert set(kinds) == {"id_card", "phone", "bank_card", "email", "uscc"}
    for p in pii:
        value = p["value"]
        if p["type"] == "id_card":
            assert is_valid_id_card(value), value
        elif p["type"] == "bank_card":
            digits = value.replace(" ", "")
            assert 16 <= len(digits) <= 19 and is_valid_luhn(value), value
        elif p["type"] == "uscc":
            assert is_valid_uscc(value) and org_code_check(value[8:16]) == value[16], value
        elif p["type"] == "phone":
            assert _PHONE.match(value), value
        else:
            assert re.fullmatch(r"[\w.]+@[\w.-]+\.[a-z]+", value), value
    disclosed = [p for p in pii if p["disclosed_contact"]]
    assert {p["type"] for p in disclosed} == {"email", "phone"}
    assert any(p["type"] == "phone" and re.match(r"1[3-9]", p["value"]) for p in pii)


def test_metric_ids_are_in_the_taxonomy(corpus: dict[str, Any]) -> None:
    taxonomy = metrics()
    used = {f["metric"] for f in corpus["facts"]}
    assert used <= set(taxonomy), used - set(taxonomy)
    assert {"revenue", "net_profit_attributable", "employees_total", "stock_code"} <= used


def test_truth_schema(corpus: dict[str, Any]) -> None:
    ids = [f["fact_id"] for f in corpus["facts"]]
    assert len(ids) == len(set(ids))
    for f in corpus["facts"]:
        assert set(f) == _FACT_FIELDS
        assert f["unit"] in {"CNY", "USD", "%", "persons", "CNY/share", "USD/share", "text"}
        if f["unit"] != "text":
            Decimal(f["value"])  # parses, no exponent
            assert "E" not in f["value"]
        assert f["doc"].startswith(f["company_id"])


def test_missing_cjk_font_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "_KNOWN_CJK", ())
    monkeypatch.setattr(fonts, "_fc_match_candidates", lambda: [])
    with pytest.raises(fonts.FontMissing, match="apt-get install fonts-wqy-zenhei"):
        fonts.register_cjk.__wrapped__()
