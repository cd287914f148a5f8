"""Training: tuners (peft), data (chat-template masking), packing, regularisers, the loop.

The entry point is ``domainsft.train.run.train(TrainConfig)``; ``domainsft train`` calls it.
"""

from __future__ import annotations

from typing import Any


def train(*args: Any, **kwargs: Any) -> dict[str, Any]:
    from domainsft.train.run import train as _train

    return _train(*args, **kwargs)


__all__ = ["train"]
