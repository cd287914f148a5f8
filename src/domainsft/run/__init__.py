"""``domainsft run``: the stages chained into one run folder, unchanged stages skipped.

The runner is the one place besides the CLI that knows the order of the stages: it imports
them, no stage imports it. ``pipeline.run`` is the entry; ``stages`` lists the stages, ``calls``
calls each as the CLI does, ``records`` decides skip and resume from the stage records,
``layout`` fixes the run folder, ``display`` draws the progress and keeps the logs,
``headline`` makes the printed figures and ``reuse`` hands a run to ``ask`` and ``serve``.
"""

from __future__ import annotations

from domainsft.run.pipeline import RunFailed, run

__all__ = ["RunFailed", "run"]
