"""What the section builders of one report share: the company, the year's figures, the page
flow, and the helpers that print a figure and tag it for the truth files in one step."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal

from domainsft.samples import fonts
from domainsft.samples.company import Company
from domainsft.samples.layout import Cell, Flow, Tag, Token
from domainsft.samples.numbers import fmt_number, fmt_plain, value_str
from domainsft.samples.statements import Line

Figures = dict[str, int]


@dataclass
class Ctx:
    company: Company
    year: int
    cur: Figures
    prior: Figures
    seed: int
    flow: Flow = field(init=False)
    rng: random.Random = field(init=False)
    statements: dict[str, list[Line]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        lang = self.company.lang
        font_names = fonts.fonts_for(lang)
        self.flow = Flow(lambda t, f, s: fonts.measure(t, font_names[f], s), lang)
        self.rng = random.Random(f"{self.seed}/{self.company.company_id}/{self.year}/text")

    @property
    def lang(self) -> str:
        return self.company.lang

    @property
    def neg(self) -> str:
        return "minus" if self.lang == "zh" else "paren"

    def fig(self, key: str, prior: bool = False) -> int:
        return (self.prior if prior else self.cur)[key]

    def write(self, pool: list[str], n: int, paragraphs: int = 1, sep: str = " ") -> None:
        """``paragraphs`` paragraphs of ``n`` sentences each, drawn from ``pool`` without
        repeats (as far as the pool allows), with the report's names filled in; sentences are
        joined by ``sep`` (a space in English, nothing in Chinese)."""
        c = self.company
        fill = {
            "short": c.short_name,
            "name": c.name,
            "year": self.year,
            "auditor": c.auditor,
            "next_year": self.year + 1,
        }
        picks = self.rng.sample(pool, min(n * paragraphs, len(pool)))
        per = -(-len(picks) // paragraphs)  # ceiling division: the last one may be shorter
        for k in range(0, len(picks), per):
            text = sep.join(s.format(**fill) for s in picks[k : k + per])
            self.flow.paragraph([Token(text)])

    # -- printing + tagging --------------------------------------------------------------
    def fact(
        self,
        metric: str,
        section: str,
        printed: str,
        value: Decimal | str,
        unit: str,
        scale: str = "1",
        prior: bool = False,
    ) -> Tag:
        fy = self.year - 1 if prior else self.year
        text = value if isinstance(value, str) else value_str(value)
        return Tag(
            "fact",
            {
                "metric": metric,
                "section": section,
                "printed": printed,
                "value": text,
                "unit": unit,
                "scale": scale,
                "fiscal_year": fy,
            },
        )

    def pii(self, kind: str, value: str, disclosed: bool = False) -> Tag:
        return Tag("pii", {"type": kind, "value": value, "disclosed_contact": disclosed})

    def amount(self, ticks: int) -> str:
        return self.company.unit.printed(ticks, self.neg)  # type: ignore[arg-type]

    def per_share(self, cents: int) -> str:
        value = Decimal(cents).scaleb(-2)
        return fmt_plain(value) if self.lang == "zh" else fmt_number(value, 2, "paren")

    def printed(self, kind: str, value: int) -> str:
        """A figure as printed: money in ticks, per-share in cents, ROE in basis points."""
        if kind == "money":
            return self.amount(value)
        if kind == "per_share":
            return self.per_share(value)
        if kind == "pct":
            text = fmt_plain(Decimal(value).scaleb(-2))
            return text if self.lang == "zh" else f"{text}%"
        return f"{value}" if self.lang == "zh" else f"{value:,}"

    def tag_for(self, metric: str, kind: str, value: int, section: str, prior: bool) -> Tag:
        unit = self.company.unit
        printed = self.printed(kind, value)
        if kind == "money":
            return self.fact(
                metric, section, printed, unit.base(value), unit.currency, unit.scale, prior
            )
        if kind == "per_share":
            return self.fact(
                metric,
                section,
                printed,
                Decimal(value).scaleb(-2),
                f"{unit.currency}/share",
                "1",
                prior,
            )
        if kind == "pct":
            return self.fact(metric, section, printed, Decimal(value).scaleb(-2), "%", "1", prior)
        return self.fact(metric, section, printed, Decimal(value), "persons", "1", prior)

    def cell(
        self, kind: str, value: int, metric: str | None, section: str, prior: bool = False
    ) -> Cell:
        tags = (self.tag_for(metric, kind, value, section, prior),) if metric else ()
        return Cell(self.printed(kind, value), "r", tags=tags)

    def figure_cell(
        self, key: str, kind: str, metric: str | None, section: str, prior: bool = False
    ) -> Cell:
        return self.cell(kind, self.fig(key, prior), metric, section, prior)

    def token(
        self, key: str, metric: str | None, section: str, kind: str = "money", prior: bool = False
    ) -> Token:
        """A figure inside prose, never split across lines."""
        value = self.fig(key, prior)
        tags = (self.tag_for(metric, kind, value, section, prior),) if metric else ()
        return Token(self.printed(kind, value), tags, atomic=True)

    def text_cell(self, metric: str, value: str, pii: tuple[Tag, ...] = ()) -> Cell:
        return Cell(value, tags=(self.fact(metric, "profile", value, value, "text"), *pii))
