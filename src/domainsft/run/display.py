"""One progress display for a whole run, and each stage's own output in its log file.

The display has one line per stage (status, name, elapsed time, a short note). While a stage
runs, everything it writes (tqdm bars, warnings, log records, prints) goes to
``RUN/logs/<stage>.log`` instead, so the display stays readable; the console the display
draws on is pinned to the terminal's stream before any redirection, or the display's refresh
thread would draw into the log.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Column

STYLE = {"waiting": "dim", "running": "bold cyan", "ran": "green", "skipped": "blue",
         "failed": "bold red"}  # fmt: skip


class Display:
    """On a terminal, a live table; elsewhere (a CI log, ``| tee``), one line per stage as it
    ends, since a live display there would print nothing until the run is over."""

    def __init__(self, names: list[str], console: Console | None = None):
        self.console = console or Console(file=sys.stderr)
        self.live = self.console.is_terminal
        fixed = {"no_wrap": True, "overflow": "crop"}
        rest = max(self.console.width - 36, 10)  # what the status, name and time leave
        self.progress = Progress(
            TextColumn("{task.fields[status]}", table_column=Column(min_width=8, **fixed)),
            TextColumn("[bold]{task.description}", table_column=Column(min_width=16, **fixed)),
            TimeElapsedColumn(table_column=Column(min_width=7, **fixed)),
            TextColumn("{task.fields[note]}", table_column=Column(max_width=rest, no_wrap=True)),
            console=self.console,
            transient=False,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self.tasks: dict[str, TaskID] = {}
        self.names = names

    def __enter__(self) -> Display:
        if self.live:
            self.progress.start()
        for name in self.names:
            self.tasks[name] = self.progress.add_task(
                name, start=False, total=None, status=_status("waiting"), note=""
            )
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.live:
            self.progress.stop()

    def start(self, name: str) -> None:
        self.progress.start_task(self.tasks[name])
        self.progress.update(self.tasks[name], status=_status("running"))

    def note(self, name: str, text: str) -> None:
        self.progress.update(self.tasks[name], note=_short(text))

    def finish(self, name: str, status: str, note: str) -> None:
        task = self.tasks[name]
        if not self.progress.tasks[task].started:
            self.progress.start_task(task)
        self.progress.stop_task(task)
        self.progress.update(task, status=_status(status), note=_short(note))
        if not self.live:
            elapsed = timedelta(seconds=int(self.progress.tasks[task].elapsed or 0))
            self.console.print(f"{_status(status)} [bold]{name:<16}[/] {elapsed} {_short(note)}")


def _status(status: str) -> str:
    return f"[{STYLE[status]}]{status:<8}[/]"


def _short(text: str, width: int = 160) -> str:
    from rich.markup import escape

    text = " ".join(text.split())
    return escape(text if len(text) <= width else text[: width - 1] + "…")


@contextlib.contextmanager
def captured(log: Path) -> Iterator[Any]:
    """Send stdout, stderr and log records (INFO and up) to ``log`` while the block runs."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w", encoding="utf-8", buffering=1) as fh:
        handler = logging.StreamHandler(fh)
        handler.setLevel(logging.INFO)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root, ours = logging.getLogger(), logging.getLogger("domainsft")
        level = ours.level
        ours.setLevel(logging.INFO)
        root.addHandler(handler)
        try:
            with contextlib.redirect_stdout(fh), contextlib.redirect_stderr(fh):
                yield fh
        finally:
            root.removeHandler(handler)
            ours.setLevel(level)
