"""Column headers to periods, and which value cell goes with which period."""

from __future__ import annotations

import pytest

from domainsft.facts.columns import Columns, assign, header_cells, header_line
from domainsft.facts.periods import SKIP, Period, month_day, parse_period, with_end


@pytest.mark.parametrize(
    ("cell", "period"),
    [
        ("2019年", Period(2019, "year")),
        ("2019 年度", Period(2019, "year")),
        ("2019年末", Period(2019, "instant")),
        ("2024 年 12 月 31 日", Period(2024, "instant", "2024-12-31")),
        ("2024年12月31日", Period(2024, "instant", "2024-12-31")),
        ("December 31, 2018", Period(2018, "instant", "2018-12-31")),
        ("May 31, 2019", Period(2019, "instant", "2019-05-31")),
        ("FY2018", Period(2018, "year")),
        ("Fiscal 2018", Period(2018, "year")),
        ("FY18", Period(2018, "year")),
        ("2018", Period(2018, "")),
        ("本期发生额", Period(2019, "year", relative=True)),
        ("上期发生额", Period(2018, "year", relative=True)),
        ("本年", Period(2019, "year", relative=True)),
        ("上年同期数", Period(2018, "year", relative=True)),
        ("期末余额", Period(2019, "instant", relative=True)),
        ("上年年末余额", Period(2018, "instant", relative=True)),
        ("期初余额", Period(2018, "instant", relative=True)),
    ],
)
def test_parse_period(cell: str, period: Period) -> None:
    assert parse_period(cell, 2019) == period


@pytest.mark.parametrize(
    "cell",
    ["本期比上年同期增减(%)", "本年末比上年末增减", "% Change", "Change", "第一季度（1-3月份）",
     "First quarter", "附注四", "Q3"],
)  # fmt: skip
def test_change_quarter_and_note_columns_are_skipped(cell: str) -> None:
    assert parse_period(cell, 2019) is SKIP


@pytest.mark.parametrize("cell", ["营业收入", "项目", "2019,", "Officer since", ""])
def test_not_periods(cell: str) -> None:
    assert parse_period(cell, 2019) is None


def test_relative_words_need_the_report_year() -> None:
    assert parse_period("本期发生额", None) is None


def test_header_rows() -> None:
    cells = ("主要会计数据", "2019年", "2018年", "本期比上年同期增减(%)", "2017年")
    cols = header_cells(cells, 2019)
    assert [p.year if p else None for p in cols] == [None, 2019, 2018, 0, 2017]
    assert header_cells(("营业收入", "1,175,301,034.32", "1,230,537,181.80"), 2019) == ()
    # A label with one number that looks like a year is a data row, not a header.
    assert header_cells(("主要子公司在职员工的数量", "1916"), 2021) == ()
    assert header_cells(("(Millions, except per share amounts)", "2018", "2017"), 2018)


def test_header_lines() -> None:
    assert [p.year for p in header_line("2021 2020 2019", 2021)] == [2021, 2020, 2019]
    line = header_line("Year ended December 31 2021 2020 Change", 2021)
    assert [p.year for p in line] == [2021, 2020, 0]
    line = header_line("December 31, 2017 2016 (In millions except par value)", 2017)
    assert [(p.year, p.end) for p in line] == [(2017, "2017-12-31"), (2016, "")]
    assert header_line("项目2021年12月31日2020年12月31日", 2021)  # OCR glues the cells
    assert header_line("2021 was a year of disciplined execution", 2021) == ()
    assert header_line("Revenue for 2021 was $4,891,951 thousand", 2021) == ()


def test_month_day_context() -> None:
    assert month_day("Years ended May 31,") == (5, 31)
    assert with_end(Period(2019, ""), (5, 31)).end == "2019-05-31"
    assert with_end(Period(2020, ""), (8, 29)).end == ""  # a 52/53-week year
    assert month_day("Total revenue") is None


def _cols(*cells: str, table: bool = True) -> Columns:
    return Columns(header_cells(cells, 2019), table, 1, 0)


def test_assign_by_position_skips_change_columns() -> None:
    cols = _cols("主要会计数据", "2019年", "2018年", "本期比上年同期增减(%)", "2017年")
    row = ("营业收入", "1,175,301,034.32", "1,230,537,181.80", "-4.49", "1,008,714,515.86")
    assert [(i, p.year) for i, p in assign(cols, row)] == [(1, 2019), (2, 2018), (4, 2017)]


def test_assign_right_aligns_a_header_without_label_cell() -> None:
    cols = _cols("2019年末", "2018年末", "本期末比上年同期末增减(%)")
    row = ("总资产", "2,464,948,703.85", "2,051,223,456.86", "20.17")
    assert [(i, p.year, p.kind) for i, p in assign(cols, row)] == [
        (1, 2019, "instant"),
        (2, 2018, "instant"),
    ]


def test_assign_by_order_when_cells_do_not_line_up() -> None:
    cols = Columns(header_line("2021 2020 Change", 2021), False, 1, 0)
    assert [p.year for _, p in assign(cols, ("Revenue", "4,891,951", "4,288,176", "14.08%"))] == [
        2021,
        2020,
    ]
    assert [p.year for _, p in assign(cols, ("Revenue", "4,891,951", "4,288,176"))] == [2021, 2020]
    assert assign(cols, ("Revenue", "4,891,951")) == []
