"""Small HTML builders shared by the report's sections.

Every string that comes from the data goes through ``html.escape`` (``esc``) first; functions
here, and in the section modules, return HTML fragments that are already safe to concatenate.
"""

from __future__ import annotations

from html import escape
from typing import Any

from domainsft.eval.report import charts


def esc(value: Any) -> str:
    return escape(str(value), quote=True)


def anchor(task: str) -> str:
    """A fragment id for a task name; the hex keeps CJK or odd names unique and valid."""
    return "task-" + task.encode("utf-8").hex()


def swatch(index: int) -> str:
    return f'<span class="swatch" style="background:{charts.run_colour(index)}"></span>'


def table(head: list[str], rows: list[list[str]], cls: str = "") -> str:
    """A scrollable table; ``head`` is plain text, ``rows`` hold ready HTML cells."""
    th = "".join(f"<th>{esc(h)}</th>" for h in head)
    trs = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return (
        f'<div class="scroll"><table class="{cls}"><thead><tr>{th}</tr></thead>'
        f"<tbody>{trs}</tbody></table></div>"
    )


def section(ident: str, title: str, body: str) -> str:
    return f'<section id="{esc(ident)}"><h2>{esc(title)}</h2>{body}</section>'


def para(text: str, cls: str) -> str:
    return f'<p class="{cls}">{esc(text)}</p>' if text else ""


def figure(title: str, content: str, legend: str = "") -> str:
    return f"<figure><figcaption>{esc(title)}</figcaption>{legend}{content}</figure>"
