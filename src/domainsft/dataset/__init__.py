"""facts + pages -> SFT examples: task families, negatives, context, split, provenance."""

from domainsft.dataset.build import Result, build
from domainsft.dataset.provenance import check

__all__ = ["Result", "build", "check"]
