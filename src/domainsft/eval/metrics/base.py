"""What every metric is: a named function of one item, one output and the environment."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from domainsft.eval.items import EvalItem, PageTexts


@dataclass
class MetricEnv:
    """What a metric may read besides the item and the output.

    ``pages``: the corpus page texts that citations and figures are checked against (may be
    empty: the citation metrics then fall back to the item's gold pages). ``mode``: how numbers
    are compared by ``exact_match`` (``strict`` or ``erc``, see ``eval.matcher.MODES``).
    """

    pages: PageTexts = field(default_factory=PageTexts)
    mode: str = "strict"


# fn(item, output, env) -> score in [0, 1], or None where the metric does not apply to the item
# (the runner averages over the items where it applies).
MetricFn = Callable[[EvalItem, str, MetricEnv], "float | None"]


@dataclass(frozen=True)
class Metric:
    name: str
    fn: MetricFn
    higher_is_better: bool
    description: str
