"""A page cut to the prompt's size never splits a word or a number: "174,551.89" cut after its
first digit would show "74,551.89", a figure the page does not print."""

from __future__ import annotations

from domainsft.assistant.passages import PageStore
from domainsft.numbers import find_quantities

ROWS = [
    "货币资金 174,551.89 108,303.85", "交易性金融资产 28,317.22 22,428.20",
    "应收账款 66,056.25 63,099.87", "预付款项 8,075.84 12,130.97", "存货 88,316.59 84,728.74",
    "固定资产 116,422.21 90,127.39", "在建工程 23,140.40 16,973.96",
]  # fmt: skip
PAGE = "\n".join(ROWS)


def test_every_figure_of_a_cut_page_is_a_figure_the_page_prints():
    printed = {q.printed for q in find_quantities(PAGE)}
    for size in range(20, len(PAGE), 7):
        for evidence in ROWS:
            cut = PageStore([], size)._cut(PAGE, [evidence])
            assert cut and cut in PAGE
            assert {q.printed for q in find_quantities(cut)} <= printed, (size, evidence, cut)


def test_the_evidence_line_stays_in_the_cut():
    cut = PageStore([], 80)._cut(PAGE, ["固定资产 116,422.21 90,127.39"])
    assert "固定资产 116,422.21 90,127.39" in cut
