"""Derived metrics as data: ``formulas.yaml`` evaluated on Decimals, with worked steps.

Each formula is an expression over metric ids of the taxonomy. It is parsed with ``ast`` and
evaluated by a small interpreter that knows only numbers, metric ids, ``+ - * / **``,
parentheses, ``abs``, ``avg`` and ``prior`` — anything else (attribute access, subscripts,
other calls, ``__import__``) is refused when the formula is loaded, and ``eval`` is never used.

``compute`` never guesses: a missing input or a zero denominator gives ``value=None`` and a
message that names what is missing, in the metric names of the requested language.
"""

from __future__ import annotations

from domainsft.domains.finance.formulas.compute import Computation, cagr, compute, growth
from domainsft.domains.finance.formulas.expr import (
    FUNCTIONS,
    NotComputable,
    UnsafeExpression,
    evaluate,
    names_in,
    parse_expression,
)
from domainsft.domains.finance.formulas.library import (
    KINDS,
    Formula,
    extra_inputs,
    families,
    find_formula,
    formulas,
    templates,
)
from domainsft.domains.finance.formulas.render import Leaf, metric_label, render
from domainsft.domains.finance.formulas.steps import show_input

__all__ = [
    "FUNCTIONS",
    "KINDS",
    "Computation",
    "Formula",
    "Leaf",
    "NotComputable",
    "UnsafeExpression",
    "cagr",
    "compute",
    "evaluate",
    "extra_inputs",
    "families",
    "find_formula",
    "formulas",
    "growth",
    "metric_label",
    "names_in",
    "parse_expression",
    "render",
    "show_input",
    "templates",
]
