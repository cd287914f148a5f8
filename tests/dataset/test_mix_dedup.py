"""Near-duplicate examples collapse; examples about different figures never do."""

from __future__ import annotations

from domainsft.dataset.mix import dedup
from domainsft.records import Example


def _ex(q: str, a: str) -> Example:
    msgs = [{"role": "user", "content": q}, {"role": "assistant", "content": a}]
    return Example(id="", messages=msgs, meta={})


ANSWER = (
    "华辰精密科技股份有限公司2022年营业收入为1,175,301,034.32元，"
    "见《华辰精密2022年年度报告》第5页。"
)


def test_near_duplicates_collapse_but_other_figures_stay():
    q = "请问华辰精密科技股份有限公司2022年度的营业收入是多少？请给出单位和出处页码。"
    same = _ex(q, ANSWER)
    reworded = _ex(q.replace("请问", "想知道"), ANSWER)
    other_figure = _ex(q, ANSWER.replace("1,175,301,034.32", "1,230,537,181.80"))
    kept, removed = dedup([same, reworded, other_figure])
    assert removed == 1
    assert kept == [same, other_figure]


def test_exact_duplicates_after_normalisation():
    answer = "Revenue was $1,577 million (Annual Report 2022, p. 4)."
    a = _ex("What was revenue in FY2022?", answer)
    b = _ex("what was  REVENUE in FY2022?", answer)
    kept, removed = dedup([a, b])
    assert kept == [a] and removed == 1
