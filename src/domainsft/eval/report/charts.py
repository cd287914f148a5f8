"""Inline SVG charts and the stylesheet for ``report.html`` (they share the colours).

Plain SVG strings, no JavaScript, fonts or network: the report has to open from a file on an
air-gapped machine and print. Each chart is sized by its ``viewBox`` and scales to the page
width; text inherits the page's font stack (so CJK labels get the CJK fallback fonts). Every
label and tooltip goes through ``html.escape``, because labels come from the data (task
families, error categories) and the data comes from model outputs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape
from string import Template

# Colour per run, in run order: the first run (the baseline) is always blue. Chosen to stay
# distinguishable in greyscale print by lightness as well as hue.
PALETTE = ("#3867b0", "#e0842f", "#3c9a5f", "#9b5db3", "#c4453c", "#5f7a8c")
# Error categories are "kind:detail" ("wrong:scale"); the kind picks the colour.
KIND_COLOURS = {"correct": "#3c9a5f", "wrong": "#c4453c", "unparseable": "#e0a32f"}
OTHER_KIND = "#8a8f98"
INK, MUTED, GRID = "#1f2933", "#5b6470", "#e3e7ec"
WIDTH = 760

Value = float | None
# (series name, one colour or one colour per label, one value per label)
Series = tuple[str, str | Sequence[str], Sequence[Value]]
Fmt = Callable[[Value], str]


def run_colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def kind_colour(category: str) -> str:
    return KIND_COLOURS.get(category.split(":", 1)[0].strip(), OTHER_KIND)


def legend(items: Sequence[tuple[str, str]]) -> str:
    """An HTML legend (name, colour): HTML wraps on narrow screens, SVG text would not."""
    spans = "".join(
        f'<li><span class="swatch" style="background:{c}"></span>{escape(n)}</li>' for n, c in items
    )
    return f'<ul class="legend">{spans}</ul>'


def _text(x: float, y: float, text: str, anchor: str = "start", size: int = 12, fill=INK) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
        f'fill="{fill}">{escape(text)}</text>'
    )


def _svg(height: float, body: list[str], label: str) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {math.ceil(height)}" role="img" '
        f'aria-label="{escape(label)}" style="max-width:{WIDTH}px">{"".join(body)}</svg>'
    )


def _clip(label: str, chars: int) -> str:
    return label if len(label) <= chars else label[: max(chars - 1, 1)] + "…"


def _colour(col: str | Sequence[str], i: int) -> str:
    return col if isinstance(col, str) else col[i]


def _vmax(series: Sequence[Series], vmax: float | None) -> float:
    seen = [v for _, _, vals in series for v in vals if v is not None]
    return vmax or max(seen, default=0.0) or 1.0


def hbars(
    labels: Sequence[str], series: Sequence[Series], fmt: Fmt, label: str, vmax: float | None = None
) -> str:
    """Horizontal bars, a group per label and a bar per series: long or CJK labels each get
    a row of their own instead of a slanted axis tick."""
    top, bar, gap, left = 6, 18, 10, 200
    scale = _vmax(series, vmax)
    body, y = [], float(top)
    for i, lab in enumerate(labels):
        mid = y + bar * len(series) / 2 + 4
        body.append(
            f"<g><title>{escape(lab)}</title>{_text(left - 8, mid, _clip(lab, 28), 'end')}</g>"
        )
        for name, col, vals in series:
            tip = f"{name} · {lab}: {fmt(vals[i])}"
            body.append(
                _hbar(left, y, _fraction(vals[i], scale), _colour(col, i), fmt(vals[i]), tip)
            )
            y += bar
        y += gap
    body.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{y - gap}" stroke="{MUTED}"/>')
    return _svg(y, body, label)


def _fraction(value: Value, scale: float) -> float:
    return 0.0 if value is None else max(0.0, min(value / scale, 1.0))


def _hbar(x: float, y: float, fraction: float, colour: str, text: str, tip: str) -> str:
    """One 18-px bar row: the bar (460 px at full scale) and its value just after it."""
    width = 460 * fraction
    rect = f'<rect x="{x}" y="{y:.1f}" width="{width:.1f}" height="14" rx="2" fill="{colour}"/>'
    value = _text(x + width + 5, y + 12, text, size=11, fill=MUTED)
    return f"<g><title>{escape(tip)}</title>{rect}{value}</g>"


def columns(
    groups: Sequence[str],
    series: Sequence[Series],
    fmt: Fmt,
    label: str,
    vmax: float | None = None,
    ticks: Fmt | None = None,
) -> str:
    """Vertical grouped columns (before/after, histograms): a group per x label, a column
    per series, at most 56 px wide so a lone pair of columns does not turn into slabs."""
    top, left, plot_h = 18, 52, 192
    plot_w = WIDTH - left - 8
    scale, step = (vmax, vmax / 4) if vmax else nice_axis(_vmax(series, None))
    body = _y_grid((left, top, plot_w, plot_h), scale, step, ticks or fmt)
    slot = plot_w / max(len(groups), 1)
    bw = min(slot * 0.9 / max(len(series), 1), 56.0)
    for g, name in enumerate(groups):
        x0 = left + g * slot + (slot - bw * len(series)) / 2
        for s, (sname, col, vals) in enumerate(series):
            box = (x0 + s * bw, top + plot_h, bw, plot_h * _fraction(vals[g], scale))
            tip = f"{sname} · {name}: {fmt(vals[g])}"
            body.append(_column(box, _colour(col, g), fmt(vals[g]), tip))
        body.append(_x_label(left + (g + 0.5) * slot, top + plot_h + 15, name, slot))
    return _svg(top + plot_h + 40, body, label)


def nice_axis(value: float) -> tuple[float, float]:
    """(axis top, grid step) with a round step (1, 2 or 5 × 10^k) giving about five grid
    lines: a count of 47 gets 0–50 in tens, a count of 3 gets 0–3 in ones."""
    if value <= 0:
        return 1.0, 0.25
    raw = value / 5
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw * (1 - 1e-9))
    return step * math.ceil(value / step - 1e-9), step


def _column(box: tuple[float, float, float, float], colour: str, text: str, tip: str) -> str:
    """A column standing on ``base``; its value sits on top when the column is wide enough."""
    x, base, width, height = box
    rect = (
        f'<rect x="{x:.1f}" y="{base - height:.1f}" width="{width - 1:.1f}" '
        f'height="{height:.1f}" fill="{colour}"/>'
    )
    value = (
        _text(x + width / 2, base - height - 4, text, "middle", 10, MUTED) if width >= 26 else ""
    )
    return f"<g><title>{escape(tip)}</title>{rect}{value}</g>"


def _y_grid(plot: tuple[float, ...], scale: float, step: float, fmt: Fmt) -> list[str]:
    """Grid lines every ``step`` with their values, so columns read without labels."""
    left, top, plot_w, plot_h = plot
    body = []
    for k in range(round(scale / step) + 1):
        y = top + plot_h * (1 - k * step / scale)
        colour = MUTED if k == 0 else GRID
        line = (
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{colour}"/>'
        )
        body += [line, _text(left - 6, y + 4, fmt(k * step), "end", 10, MUTED)]
    return body


def _x_label(x: float, y: float, name: str, slot: float) -> str:
    """An x label wrapped on ``_``/space into at most two lines that fit the slot."""
    chars = max(int(slot / 6.5), 3)
    words, lines = name.replace("_", " ").split() or [name], [""]
    for word in words:
        joined = f"{lines[-1]} {word}".strip()
        if len(joined) <= chars or not lines[-1]:
            lines[-1] = joined
        else:
            lines.append(word)
    lines = [_clip(t, chars) for t in lines[:2]]
    texts = "".join(_text(x, y + 12 * i, t, "middle", 11) for i, t in enumerate(lines))
    return f"<g><title>{escape(name)}</title>{texts}</g>"


def histogram(series: Sequence[tuple[str, str, Sequence[float]]], unit: str, label: str) -> str:
    """Counts in equal-width bins shared by every series, so runs compare bin for bin;
    about sqrt(n) bins (4 to 16), labelled to the precision the bin width needs."""
    values = [v for _, _, vals in series for v in vals]
    lo, hi = min(values, default=0.0), max(values, default=1.0)
    bins = min(max(math.ceil(math.sqrt(max(len(v) for _, _, v in series))), 4), 16)
    step = (hi - lo) / bins or (abs(lo) or 1.0) / bins
    digits = min(max(-math.floor(math.log10(step)), 0), 3)
    edges = [f"{lo + step * k:.{digits}f}" for k in range(bins + 1)]
    groups = [f"{edges[k]}–{edges[k + 1]}{unit}" for k in range(bins)]
    counted: list[Series] = []
    for name, colour, vals in series:
        counts = [0.0] * bins
        for v in vals:
            counts[min(int((v - lo) / step), bins - 1)] += 1
        counted.append((name, colour, counts))
    count = lambda v: "–" if v is None else f"{v:.0f}"  # noqa: E731
    return columns(groups, counted, count, label, ticks=lambda v: f"{v:g}")


FONTS = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", '
    '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Zen Hei", sans-serif'
)
MONO = 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Noto Sans Mono CJK SC", monospace'
# The page's stylesheet lives beside the chart colours it shares. System fonts only (CJK
# fallbacks last, so Latin text keeps the UI font); print rules keep figures whole and open
# the collapsed examples (::details-content, Chromium 131+; older browsers print them closed).
STYLE = Template("""
:root { --ink:$ink; --muted:$muted; --line:#dde2e8; --soft:#f4f6f9; --accent:$accent;
  --good:#1f7a45; --good-bg:#e3f4ea; --bad:#b2332b; --bad-bg:#fbe7e5; }
* { box-sizing:border-box; }
body { margin:0; background:#fff; color:var(--ink); font:15px/1.5 $fonts;
  -webkit-print-color-adjust:exact; print-color-adjust:exact; }
main.report { max-width:1100px; margin:0 auto; padding:28px 24px 48px; }
h1 { font-size:28px; margin:0 0 2px; }
h2 { font-size:21px; margin:40px 0 12px; padding-bottom:6px;
  border-bottom:2px solid var(--accent); }
h4 { margin:14px 0 4px; font-size:14px; }
a { color:var(--accent); }
.sub, .note, .empty, footer { color:var(--muted); }
.empty { font-style:italic; margin:4px 0; }
nav ul { list-style:none; padding:0; margin:18px 0 0; display:flex; flex-wrap:wrap; gap:6px; }
nav a { display:block; padding:3px 10px; border-radius:14px; background:var(--soft);
  text-decoration:none; font-size:13px; }
.scroll { overflow-x:auto; margin:8px 0 14px; }
table { border-collapse:collapse; min-width:50%; font-size:14px; }
th, td { padding:5px 12px; border-bottom:1px solid var(--line); text-align:left;
  vertical-align:top; }
thead th { background:var(--soft); font-weight:600; white-space:nowrap; }
table.summary :is(td, th):nth-child(n+3), table.metrics :is(td, th):nth-child(n+2),
table.counts :is(td, th):nth-child(n+2) { text-align:right; font-variant-numeric:tabular-nums;
  white-space:nowrap; }
table.summary tr:has(td:first-child:not(:empty)) td { border-top:2px solid #c9d0d8; }
table.runs td { white-space:nowrap; }
table.runs td:nth-child(n+2):nth-child(-n+4) { white-space:normal; overflow-wrap:anywhere;
  min-width:7em; }
code { font:13px $mono; }
small.n { color:var(--muted); font-size:11px; margin-left:4px; }
.dir { color:var(--muted); }
.tag { font-size:11px; padding:1px 6px; border-radius:8px; background:var(--soft);
  color:var(--muted); }
.swatch { display:inline-block; width:11px; height:11px; border-radius:2px; margin-right:6px;
  vertical-align:-1px; }
.delta { display:inline-block; min-width:64px; margin-left:6px; padding:0 6px;
  border-radius:8px; font-size:12px; text-align:center; }
.better { color:var(--good); background:var(--good-bg); }
.worse { color:var(--bad); background:var(--bad-bg); }
.same { color:var(--muted); background:var(--soft); }
p.verdict { padding:10px 14px; border-radius:6px; font-weight:600; }
figure { margin:18px 0 26px; }
figcaption { font-weight:600; font-size:16px; margin-bottom:6px; }
svg.chart { display:block; width:100%; height:auto; margin:4px 0 8px; }
ul.legend { list-style:none; padding:0; margin:0 0 4px; display:flex; flex-wrap:wrap;
  gap:14px; font-size:13px; }
details { margin:6px 0; }
summary { cursor:pointer; color:var(--accent); }
details.example { border:1px solid var(--line); border-radius:6px; padding:6px 10px; }
details.example summary { color:var(--ink); overflow-wrap:anywhere; }
dl { margin:8px 0 4px; display:grid; grid-template-columns:max-content minmax(0, 1fr);
  gap:6px 12px; }
dt { font-weight:600; font-size:13px; color:var(--muted); padding-top:7px; }
dd { margin:0; }
pre { margin:0; padding:8px 10px; background:var(--soft); border-radius:4px;
  font:13px/1.45 $fonts; white-space:pre-wrap; overflow-wrap:anywhere; }
footer { margin-top:40px; font-size:13px; border-top:1px solid var(--line); padding-top:10px; }
@media (max-width:640px) { main.report { padding:16px 10px; } th, td { padding:4px 6px; }
  dl { display:block; } }
@media print {
  nav { display:none; }
  body { font-size:11pt; }
  main.report { max-width:none; padding:0; }
  figure, tr, details { break-inside:avoid; }
  h2, figcaption { break-after:avoid; }
  details::details-content { content-visibility:visible; display:block; }
}
""").substitute(ink=INK, muted=MUTED, accent=PALETTE[0], fonts=FONTS, mono=MONO)
