"""Grounding: which figures a text states, whether other figures give them, which pages back them.

One kernel for every place that checks an answer against its sources: eval's metrics
(key numbers, CoT, citations, hallucinated numbers), pseudo-labelling, the teacher filter, the
in-training metric and the assistant's numeric verifier.

* ``figures``: the figures of a text (no years, pages, sections, list markers, step counters or
  formula constants) and when a text states a wanted figure (``Target``, ``present``).
* ``index``: ``FigureIndex``, a sorted index of a context's numbers that answers "is this
  figure printed here?" and "is it ``a ± b``, ``a / b``, ``a / b × 100`` or a growth rate of two
  of them?" at the figure's own precision.
* ``citations``: the page references of a text, the figure each vouches for, whether a page
  holds a figure.
"""

from domainsft.grounding.citations import (
    BRACKETED,
    citations,
    cited_page_numbers,
    holds,
    page_index,
    page_refs,
)
from domainsft.grounding.figures import (
    PERCENT,
    Target,
    figures,
    in_unit_of,
    is_constant,
    is_decrease,
    present,
    readings,
    states_all,
    targets,
    units_agree,
    value_numbers,
)
from domainsft.grounding.index import DERIVE_LIMIT, FigureIndex

__all__ = [
    "BRACKETED",
    "DERIVE_LIMIT",
    "PERCENT",
    "FigureIndex",
    "Target",
    "citations",
    "cited_page_numbers",
    "figures",
    "holds",
    "in_unit_of",
    "is_constant",
    "is_decrease",
    "page_index",
    "page_refs",
    "present",
    "readings",
    "states_all",
    "targets",
    "units_agree",
    "value_numbers",
]
