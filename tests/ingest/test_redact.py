import random
from collections import Counter
from pathlib import Path

import pytest

from domainsft.config import RedactConfig
from domainsft.redact import Redactor
from domainsft.utils.checksums import (
    gb11643_check_digit,
    gb11643_valid,
    gb32100_check_char,
    gb32100_valid,
    luhn_check_digit,
    luhn_valid,
)

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
SIFANG = DATA / "reports" / "zh" / "cn_603339_sifang_2019_annual_report.pdf"

ID_CARD = "11010519491231002X"  # the worked example of GB 11643-1999
ID_CARD_2 = "44030519880715001" + gb11643_check_digit("44030519880715001")
USCC = "91350100M000100Y43"
VISA = "4111111111111111"
UNIONPAY = "622202020000123456" + luhn_check_digit("622202020000123456")


def redact(text: str, **cfg: object) -> tuple[str, Counter[str]]:
    return Redactor(RedactConfig(**cfg)).redact(text)  # type: ignore[arg-type]


# --- check characters ---------------------------------------------------------------------------


def test_gb11643() -> None:
    assert gb11643_check_digit(ID_CARD[:17]) == "X"
    assert gb11643_valid(ID_CARD) and gb11643_valid(ID_CARD.lower())
    assert gb11643_valid(ID_CARD_2)
    assert not gb11643_valid(ID_CARD[:17] + "1")  # wrong check digit
    assert not gb11643_valid("110105194913310025"[:17] + gb11643_check_digit("11010519491331002"))
    assert not gb11643_valid("11010519491231002")  # 17 characters
    with pytest.raises(ValueError):
        gb11643_check_digit("1234")


def test_luhn() -> None:
    assert luhn_valid(VISA) and luhn_valid(UNIONPAY) and luhn_valid("79927398713")
    assert not luhn_valid("4111111111111112") and not luhn_valid("79927398710")
    assert luhn_check_digit("7992739871") == "3"
    assert luhn_check_digit(VISA[:-1]) == VISA[-1]
    assert not luhn_valid("4111 1111") and not luhn_valid("")


def test_gb32100() -> None:
    assert gb32100_valid(USCC)
    assert gb32100_check_char(USCC[:17]) == USCC[17]
    assert not gb32100_valid(USCC[:17] + "4")
    assert not gb32100_valid("91350100M000100I43")  # I is not in the GB 32100 character set
    with pytest.raises(ValueError):
        gb32100_check_char("91350100M000100O4")


# --- each type ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "want", "kind"),
    [
        (f"身份证号码：{ID_CARD}，", "身份证号码：[ID_CARD]，", "id_card"),
        (f"ID card {ID_CARD_2}.", "ID card [ID_CARD].", "id_card"),
        ("身份证号 110105491231002 已登记", "身份证号 [ID_CARD] 已登记", "id_card"),  # 15-digit
        (f"统一社会信用代码 {USCC}", "统一社会信用代码 [USCC]", "uscc"),
        (f"卡号{UNIONPAY}", "卡号[BANK_CARD]", "bank_card"),
        ("card 4111 1111 1111 1111 on file", "card [BANK_CARD] on file", "bank_card"),
        ("card 4111-1111-1111-1111.", "card [BANK_CARD].", "bank_card"),
        (
            "账号 " + " ".join(UNIONPAY[i : i + 4] for i in range(0, 19, 4)),  # 4-4-4-4-3
            "账号 [BANK_CARD]",
            "bank_card",
        ),
        ("邮箱 zhang.san@example.com。", "邮箱 [EMAIL]。", "email"),
        ("Contact: j.doe+ir@mail.example.co.uk.", "Contact: [EMAIL].", "email"),
        ("手机13800138000联系", "手机[PHONE]联系", "phone"),
        ("手机 138 0013 8000", "手机 [PHONE]", "phone"),
        ("mobile +86 138-0013-8000", "mobile [PHONE]", "phone"),
        ("电话 0571-88886666", "电话 [PHONE]", "phone"),
        ("电话 021-5888 1234", "电话 [PHONE]", "phone"),
        ("电话 (021) 5888-1234", "电话 [PHONE]", "phone"),
        ("电话 010-8888-6666", "电话 [PHONE]", "phone"),
        ("电话 （0755）82080387", "电话 [PHONE]", "phone"),
        ("Tel +1 (212) 555-0123", "Tel [PHONE]", "phone"),
        ("call 212-555-0123.", "call [PHONE].", "phone"),
        ("toll-free 1-877-277-9931", "toll-free [PHONE]", "phone"),
        ("London +44 20 7946 0958", "London [PHONE]", "phone"),
    ],
)
def test_redacts_each_type(text: str, want: str, kind: str) -> None:
    out, counts = redact(text)
    assert out == want
    assert counts == Counter({kind: 1})


def test_counts_by_type_never_values() -> None:
    text = f"{ID_CARD} {ID_CARD_2} a@b.cn 13800138000 {USCC}"
    out, counts = redact(text)
    assert counts == Counter({"id_card": 2, "email": 1, "phone": 1, "uscc": 1})
    assert all(isinstance(v, int) for v in counts.values())
    assert "13800138000" not in out and "a@b.cn" not in out


# --- figures are never redacted -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "营业收入 1,175,301,034.32 1,230,537,181.80 -4.49 1,008,714,515.86",
        "总资产 2464948703.85 元",
        "金额 117530103432",
        "13800138000.00",
        "(13800138000.00)",
        "13,800,138,000",
        "-13800138000",
        "股票代码 603339",
        "2019-12-31 2019年12月31日 20191231",
        "主要会计数据 2019年 2018年 2017年 2016年",
        "2019 2018 2017 2016",
        "5 / 156",
        "毛利率 22.27%，减少 3.85 个百分点",
        "Revenue $ 1,175,301 (in thousands), up 12.5%",
        "DFARS clause 252.204-7012",
        "Commission file number 1-3285",
        "邮政编码 226371",
        ID_CARD[:17] + "1",  # checksum wrong: just a number
        "4111111111111112",  # Luhn wrong
        VISA + ".00",  # part of an amount
        "1,000,000,000,000,000.00",
        "0.4111111111111111",
    ],
)
def test_figures_are_never_redacted(text: str) -> None:
    assert redact(text) == (text, Counter())


def test_random_amounts_are_never_redacted() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        value = rng.randint(0, 10**15) / 100
        for text in (f"{value:,.2f}", f"{value:.2f}", f"({value:,.2f})", f"-{value:,.2f}"):
            assert redact(f"合计 {text} 元") == (f"合计 {text} 元", Counter())


# --- configuration ------------------------------------------------------------------------------

PROFILE = (
    "二、 联系人和联系方式\n董事会秘书\n姓名 饶伟\n"
    "联系地址 江苏省南通市通州区兴仁镇金通公路3888号\n"
    "电话 0513-81658162\n传真 0513-86221280\n电子信箱 zqb@ntsquare.com\n"
)
FAR_AWAY = "\n" + "其他内容。" * 80 + "\n员工张三 手机 13800138000 邮箱 zhangsan@example.com\n"


def test_keep_disclosed_contacts() -> None:
    out, counts = redact(PROFILE + FAR_AWAY, keep_disclosed_contacts=True)
    assert "0513-81658162" in out and "0513-86221280" in out and "zqb@ntsquare.com" in out
    assert "13800138000" not in out and "zhangsan@example.com" not in out
    assert counts == Counter({"phone": 1, "email": 1})


def test_keep_disclosed_contacts_english() -> None:
    text = "Investor Relations\nPhone: (570) 346-7667\nEmail: ir@example.com\n"
    assert redact(text, keep_disclosed_contacts=True) == (text, Counter())
    assert redact(text)[1] == Counter({"phone": 1, "email": 1})


def test_without_keep_all_contacts_are_redacted() -> None:
    out, counts = redact(PROFILE + FAR_AWAY)
    assert counts == Counter({"phone": 3, "email": 2})
    assert "0513" not in out and "@" not in out


def test_only_configured_types() -> None:
    text = f"邮箱 a@b.cn 手机 13800138000 身份证 {ID_CARD}"
    out, counts = redact(text, types=["email"])
    assert out == f"邮箱 [EMAIL] 手机 13800138000 身份证 {ID_CARD}"
    assert counts == Counter({"email": 1})


def test_disabled_returns_text_unchanged() -> None:
    text = f"邮箱 a@b.cn 手机 13800138000 身份证 {ID_CARD}"
    assert redact(text, enabled=False) == (text, Counter())


# --- a real report ------------------------------------------------------------------------------


def _page(index: int) -> str:
    if not SIFANG.exists():
        pytest.skip(f"real reports not available at {DATA}")
    pdfium = pytest.importorskip("pypdfium2")
    return pdfium.PdfDocument(SIFANG)[index].get_textpage().get_text_range()


def test_real_profile_page() -> None:
    page = _page(3)  # 第二节 公司简介: board secretary's phone, fax and e-mail
    out, counts = redact(page)
    assert counts == Counter({"phone": 2, "email": 2})
    assert "[PHONE]" in out and "226371" in out  # the postcode stays
    assert redact(page, keep_disclosed_contacts=True) == (page, Counter())


def test_real_key_figures_page_is_untouched() -> None:
    page = _page(4)  # 主要会计数据: amounts, years, stock code 603339
    assert redact(page) == (page, Counter())


def test_grouped_card_right_after_grouped_mobile():
    text = "王波 310115195808035229 187 6098 8675 6222 6251 7402 0360 05 wang_382@example.net"
    out, counts = Redactor(RedactConfig()).redact(text)
    assert out == "王波 [ID_CARD] [PHONE] [BANK_CARD] [EMAIL]"
    assert counts == {"id_card": 1, "phone": 1, "bank_card": 1, "email": 1}


def test_contact_label_beside_a_private_person_is_still_redacted() -> None:
    text = (
        "一、重大诉讼、仲裁事项\n公司就买卖合同纠纷提起诉讼，被告为自然人杜军（身份证号码："
        "310115197903273304，联系电话：+86 18585660792），请求判令被告支付货款。"
    )
    out, counts = redact(text, keep_disclosed_contacts=True)
    assert "18585660792" not in out and "310115197903273304" not in out
    assert counts == Counter({"id_card": 1, "phone": 1})
