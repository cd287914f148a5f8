"""Numbers as annual reports print them: parse, scale, round, format and compare, in Decimal.

One kernel shared by fact extraction, dataset building, evaluation and the serving verifier, so
that all four agree on what a printed figure means.

Conventions:

* A ``Quantity.value`` is in base units: yuan / dollars for money, percent points for ``%``
  (12.35 means 12.35%), persons for headcounts. The scale it was printed in (万元, millions …) is
  kept beside it as a field and is never applied twice.
* Precision travels with the value: ``Quantity.precision`` is the step of the last printed digit
  in base units (``11.75亿元`` → 1,000,000), so ``11.75亿元`` and ``1,175,301,034.32元`` compare
  equal at the coarser of the two precisions.
* Rounding is ROUND_HALF_UP, as reports and the CSRC rules round (never float, never banker's).
* A bare integer such as ``2019`` parses as a number: only the caller knows whether a year is
  meant. ``find_quantities`` flags likely years, dates, page and section references instead.
* Parentheses mean a negative number in a table cell (``(1,234)``). In running text they do only
  when they tightly wrap a number, a symbol and ``%`` (``(10.9%)``); ``(RMB 3.2 million)`` in
  prose is an aside, not a loss.
* In prose a full-width comma ``，`` is punctuation; it groups thousands only between full-width
  digits (``１２３，４５６``). Plain spaces group thousands only in a cell, never in prose, where
  ``2019 123`` is two numbers; thin and no-break spaces group in both.
"""

from __future__ import annotations

from domainsft.numbers.chars import NULL_MARKERS, is_null_marker
from domainsft.numbers.chinese import parse_chinese_number
from domainsft.numbers.format import (
    as_percent_candidates,
    format_number,
    format_quantity,
    numbers_equal,
    percent,
    round_half_up,
)
from domainsft.numbers.parse import parse_number, parse_quantity
from domainsft.numbers.printed import as_printed, printed_places
from domainsft.numbers.quantity import Quantity
from domainsft.numbers.scales import (
    canonical_scale,
    from_base,
    parse_unit_line,
    scale_factor,
    to_base,
)
from domainsft.numbers.scan import find_quantities

__all__ = [
    "NULL_MARKERS",
    "Quantity",
    "as_percent_candidates",
    "as_printed",
    "canonical_scale",
    "find_quantities",
    "format_number",
    "format_quantity",
    "from_base",
    "is_null_marker",
    "numbers_equal",
    "parse_chinese_number",
    "parse_number",
    "parse_quantity",
    "parse_unit_line",
    "percent",
    "printed_places",
    "round_half_up",
    "scale_factor",
    "to_base",
]
