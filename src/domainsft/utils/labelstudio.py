"""The Label Studio labeling interface both review flows use: texts to read, an ok/wrong verdict
on the answer and a box for the corrected answer (``review export`` for dataset examples,
``eval --select-uncertain`` for a model's least confident answers). ``review import`` reads the
verdict and the correction back by these names, whichever flow made the tasks."""

from __future__ import annotations

from collections.abc import Sequence

VERDICTS = ("ok", "wrong")
_CORRECTED_HINT = "If wrong: the corrected answer, citation included (empty: drop it)"


def label_config(title: str, texts: Sequence[tuple[str, str]], note: bool = False) -> str:
    """The interface XML: a ``title`` header (``$field`` placeholders allowed), each
    ``(header, field)`` of ``texts`` as a header over the task's text, the verdict and the
    correction on the ``answer`` field (which ``texts`` must show), and an optional note."""
    lines = ["<View>", "  <Style>.htx-text { white-space: pre-wrap; }</Style>"]
    lines.append(f'  <Header value="{title}"/>')
    for header, name in texts:
        lines.append(f'  <Header value="{header}" size="5"/>')
        lines.append(f'  <Text name="{name}" value="${name}"/>')
    choices = 'name="verdict" toName="answer" choice="single" showInline="true" required="true"'
    lines.append(f"  <Choices {choices}>")
    lines += [f'    <Choice value="{v}"/>' for v in VERDICTS]
    lines.append("  </Choices>")
    box = 'toName="answer" rows="6" editable="true" maxSubmissions="1"'
    lines.append(f'  <TextArea name="corrected" {box}')
    lines.append(f'            placeholder="{_CORRECTED_HINT}"/>')
    if note:
        box = 'toName="answer" rows="2" maxSubmissions="1" placeholder="Note (optional)"'
        lines.append(f'  <TextArea name="note" {box}/>')
    lines.append("</View>")
    return "\n".join(lines) + "\n"
