"""The answer a report's sentences give where no fact does: read, not guessed.

Facts (``facts.jsonl``) come from tables. Many questions about real reports are answered in
running text instead, and a small model does not read a 600-character page reliably. This stage
reads the report's sentences with the domain pack's rules (``prose.yaml``) and drafts the
answer, with the sentence quoted and its page, in two cases:

* **Disclosure events** — the question names a topic of ``search.yaml`` that ``prose.yaml``
  knows how to recognise (a merger or acquisition, a change to the capital structure, a change
  of officers): every page of the reports in scope is read for a sentence that *reports* one
  (a pattern of ``reports``) and does not speak of what may happen (``hypothetical``). A yes/no
  question gets yes with the first such sentence, or no with the number of pages read; a
  question that asks which positions changed gets the titles (``titles``) printed near each
  event word in the reporting period.
* **Figures in running text** — a lookup of one figure that no fact gives: the best pages
  retrieval finds for it are split into sentences (one with more than ``max_figures`` figures
  is a table row run into text, left to the facts). A sentence qualifies when it prints enough
  of the question's own words (stems, with ``synonyms``; ``min_terms``) and a figure of the
  kind the question wants (a count, a percentage, an amount, a per-share amount) with enough
  of those words within ``reach`` characters of it. More words near the figure wins, then the
  nearest.

Nothing is drafted when no sentence qualifies: the pipeline then abstains as before. The draft's
figure is checked by the verifier like any other (its page is shown to the model), and an event
answer, which has no figure, is the pipeline's answer (``Draft.decides``), as a claim's verdict
is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import yaml

from domainsft.assistant.directory import Company
from domainsft.assistant.draft import Draft
from domainsft.assistant.scope import Scope
from domainsft.assistant.understand import Query
from domainsft.corpus import page_text
from domainsft.domains.finance import PACK_DIR
from domainsft.domains.finance.search import topics
from domainsft.domains.finance.templates import phrase as pack_phrase
from domainsft.grounding import Target
from domainsft.numbers import Quantity, find_quantities
from domainsft.retrieval.expand import find, fold
from domainsft.retrieval.tokenize import tokenize

_YES_NO = {
    "en": re.compile(r"^\s*(?:did|does|do|has|have|had|is|was|were|are)\b", re.I),
    "zh": re.compile(r"是否|有没有|有无|有否"),
}
_WHICH = {
    "en": re.compile(r"\b(?:which|what|who)\b", re.I),
    "zh": re.compile(r"哪些|哪个|哪位|什么|谁"),
}
_END = re.compile(r"[.!?;。！？；]")
_ABBREVIATION = re.compile(  # a period that does not end a sentence: U.S., Inc., Mr.
    r"(?:(?<![A-Za-z])[A-Z]|\b(?:Inc|Corp|Co|Ltd|Mr|Mrs|Ms|Dr|No|St|vs|Jr|Sr|approx|etc))$"
)
_QUOTE = 240  # characters of a quoted sentence


@dataclass(frozen=True)
class Event:
    id: str
    label: dict[str, str]
    reports: dict[str, tuple[re.Pattern[str], ...]]
    titles: dict[str, re.Pattern[str]] | None
    window: tuple[int, int]  # characters before and after the event word read for positions
    current_years: bool


@cache
def _pack() -> dict:
    return yaml.safe_load((PACK_DIR / "prose.yaml").read_text(encoding="utf-8"))


@cache
def events() -> dict[str, Event]:
    """The events of ``prose.yaml``, each a topic of ``search.yaml``; checked on load."""
    out = {}
    for eid, spec in _pack()["events"].items():
        if eid not in topics():
            raise ValueError(f"prose.yaml event {eid!r} is not a topic of search.yaml")
        titles = spec.get("titles")
        out[eid] = Event(
            id=eid,
            label=dict(spec["label"]),
            reports={
                lang: tuple(re.compile(p) for p in ps) for lang, ps in spec["reports"].items()
            },
            titles={lang: re.compile(p) for lang, p in titles.items()} if titles else None,
            window=tuple(spec.get("window", (60, 120))),
            current_years=bool(spec.get("current_years", False)),
        )
    return out


@cache
def _hypothetical(lang: str) -> re.Pattern[str]:
    return re.compile("|".join(_pack()["hypothetical"][lang]))


def _answer(key: str, lang: str) -> str:
    return _pack()["answers"][key][lang]


def prose_draft(query: Query, scope: Scope, store) -> Draft | None:
    """The draft the reports' sentences give for ``query`` (module docstring), or None.
    ``store``: the pipeline's ``passages.PageStore`` (the pages, and retrieval over them)."""
    if not scope.companies or not scope.doc_ids:
        return None
    event = _event_asked(query)
    if event is not None:
        return _event_draft(query, scope, store, event)
    return _figure_draft(query, scope, store)


# ---------------------------------------------------------------------------- events


def _event_asked(query: Query) -> Event | None:
    tokens, folded = tokenize(query.text), fold(query.text)
    for eid, event in events().items():
        asks = topics()[eid].ask
        if any(find(tokens, folded, p) for lang in asks for p in asks[lang]):
            return event
    return None


def _event_draft(query: Query, scope: Scope, store, event: Event) -> Draft | None:
    lang, company = query.lang, scope.companies[0]
    pages = _pages_in_order(scope, store)
    if not pages:
        return None
    if event.titles is not None and _WHICH[lang].search(query.text):
        return _titles_draft(query, scope, pages, event, company)
    if not _YES_NO[lang].search(query.text):
        return None
    label = event.label[lang]
    for key, text in pages:
        for sentence in _sentences(text):
            if _reports(sentence, event) and not _hypothetical_in(sentence):
                quote = _trim(sentence, 0)
                answer = _answer("event_yes", lang).format(
                    company=company.name, label=label, quote=quote, page=key[1]
                )
                return Draft(text=answer, pages=[key], quotes=[quote], decides=True)
    answer = _answer("event_no", lang).format(company=company.name, label=label, pages=len(pages))
    return Draft(text=answer, decides=True)


def _titles_draft(
    query: Query, scope: Scope, pages: list, event: Event, company: Company
) -> Draft | None:
    lang = query.lang
    year = max((y for ys in scope.years.values() for y in ys), default=None)
    assert event.titles is not None
    found: dict[str, tuple[str, int]] = {}
    quotes: list[str] = []
    keys: list[tuple[str, int]] = []
    for key, text in pages:
        for sentence in _sentences(text):
            for pattern in event.reports.get(lang, ()):
                for m in pattern.finditer(sentence):
                    lo, hi = max(0, m.start() - event.window[0]), m.end() + event.window[1]
                    window = sentence[lo:hi]
                    if event.current_years and year is not None and not _names_year(window, year):
                        continue
                    new = [t for t in _titles(window, event.titles[lang]) if t not in found]
                    for title in new:
                        found[title] = key
                    if new:
                        quotes.append(_trim(sentence, m.start()))
                        keys.append(key)
    found = {t: k for t, k in found.items() if not any(t != o and t in o for o in found)}
    if not found:
        return None
    listed = _answer("title_join", lang).join(
        _answer("title", lang).format(title=t, page=k[1]) for t, k in found.items()
    )
    text = _answer("titles", lang).format(company=company.name, titles=listed)
    return Draft(text=text, pages=keys, quotes=quotes, decides=True)


def _titles(window: str, pattern: re.Pattern[str]) -> list[str]:
    """The positions a window names, "President and Chief Executive Officer" kept whole."""
    joined = re.compile(rf"(?:{pattern.pattern})(?:\s+and\s+(?:{pattern.pattern}))?")
    out = []
    for m in joined.finditer(window):
        title = " ".join(m.group(0).split())
        if title not in out:
            out.append(title)
    return out


_YEAR = re.compile(r"(?<![\d,.])(?:19|20)\d{2}(?!\d)")


def _names_year(text: str, year: int) -> bool:
    """Whether ``text`` prints a year (alone or in a date) of ``year`` or later."""
    return any(int(m.group()) >= year for m in _YEAR.finditer(text))


def _reports(sentence: str, event: Event) -> bool:
    return any(p.search(sentence) for ps in event.reports.values() for p in ps)


def _hypothetical_in(sentence: str) -> bool:
    return any(_hypothetical(lang).search(sentence) for lang in ("en", "zh"))


# ---------------------------------------------------------------------------- figures


def _figure_draft(query: Query, scope: Scope, store) -> Draft | None:
    spec = _pack()["figures"]
    lang, company = query.lang, scope.companies[0]
    if query.operation != "lookup" or query.formula or len(query.metrics) > 1:
        return None  # a computation or several figures: the facts' work, not a sentence's
    kind = _kind_asked(query.text, lang)
    groups = _term_groups(query, company)
    if kind is None or not groups:
        return None
    need = min(int(spec["min_terms"]), len(groups))
    reach = int(spec["reach"][0 if len(groups) == 1 else 1])
    best: tuple[tuple[int, int, int], tuple[str, int], str, Quantity] | None = None
    keys = store.retrieve(query.text, scope, int(spec["pages"]))
    for rank, key in enumerate(keys):
        page = store.pages.get(key)
        if page is None:
            continue
        for sentence in _sentences(page_text(page)):
            stems = set(tokenize(sentence))
            matched = [g for g in groups if g & stems]
            if len(matched) < need:
                continue
            values = [q for q in find_quantities(sentence) if q.role == "value" and q.span]
            if len(values) > int(spec["max_figures"]):
                continue  # a table's row run into text: the facts read tables
            spans = [_term_spans(sentence, g) for g in matched]
            for q in values:
                if not _of_kind(q, kind, sentence):
                    continue
                # the words printed within reach of this figure, and the nearest of them
                gaps = [min(_gap(q.span, at) for at in group) for group in spans if group]
                near = sorted(g for g in gaps if g <= reach)
                if len(near) < need:
                    continue
                score = (-len(near), near[0], rank)
                if best is None or score < best[0]:
                    best = (score, key, sentence, q)
    if best is None:
        return None
    _, key, sentence, q = best
    report_year = next((r.year for r in company.reports if r.doc_id == key[0]), None)
    cite = pack_phrase("cite", lang).format(company=company.name, year=report_year, page=key[1])
    if lang == "en":
        cite = cite.strip("()")
    quote = _trim(sentence, q.span[0] if q.span else 0)
    text = _answer("figure", lang).format(value=q.printed.strip(), cite=cite, quote=quote)
    return Draft(
        text=text,
        key=[Target(q, q.precision)],
        pages=[key],
        quotes=[quote],
    )


def _kind_asked(question: str, lang: str) -> str | None:
    for spec in _pack()["figures"]["kinds"]:
        if re.search(spec[lang], question):
            return spec["kind"]
    return None


def _term_groups(query: Query, company: Company) -> list[set[str]]:
    """The question's own words, each with its synonyms' stems: what a sentence must print."""
    spec = _pack()["figures"]
    lang = query.lang
    ignore = {t for w in spec["ignore"][lang] for t in tokenize(w)}
    ignore |= {t for name in (company.name, company.short, company.code) if name
               for t in tokenize(name)}  # fmt: skip
    synonyms = spec["synonyms"].get(lang, {})
    groups: list[set[str]] = []
    words = re.findall(r"[A-Za-z]+(?:[&-][A-Za-z]+)*|[\u4e00-\u9fff]+", query.text)
    for word in words:
        stems = [t for t in tokenize(word) if t not in ignore and not t[0].isdigit()]
        for stem in stems:
            group = {stem}
            for syn in synonyms.get(word.lower(), ()):
                group |= set(tokenize(syn))
            if not any(stem in g for g in groups):
                groups.append(group)
    return groups


def _term_spans(sentence: str, group: set[str]) -> list[tuple[int, int]]:
    """Where a word of ``group`` is printed in the sentence (each stem found as a prefix)."""
    lowered = sentence.lower()
    return [(m.start(), m.end()) for stem in group for m in re.finditer(re.escape(stem), lowered)]


def _gap(span: tuple[int, int], word: tuple[int, int]) -> int:
    """Characters between a figure and a word (0 when they touch or overlap)."""
    return max(word[0] - span[1], span[0] - word[1], 0)


def _of_kind(q: Quantity, kind: str, sentence: str) -> bool:
    money = q.unit not in ("", "%", "pp", "persons", "times", "days", "shares", "bp", "/share")
    if kind == "percent":
        return q.unit == "%"
    if kind == "count":
        return q.unit in ("", "persons", "shares") and q.value == q.value.to_integral_value()
    if kind == "per_share":
        after = sentence[q.span[1] : q.span[1] + 24].lower() if q.span else ""
        return q.unit == "/share" or (money and "per" in after and "share" in after)
    return money


# ---------------------------------------------------------------------------- text


def _pages_in_order(scope: Scope, store) -> list[tuple[tuple[str, int], str]]:
    wanted = set(scope.doc_ids)
    return [(key, page_text(p)) for key, p in sorted(store.pages.items()) if key[0] in wanted]


def _sentences(text: str) -> list[str]:
    """The sentences of a page, its line breaks read as spaces (a wrapped line goes on)."""
    flat = text.replace("\n", " ")
    out, start = [], 0
    for m in _END.finditer(flat):
        at = m.start()
        before, after = flat[max(0, at - 8) : at], flat[at + 1 : at + 2]
        decimal = before[-1:].isdigit() and after.isdigit()
        if m.group() == "." and (decimal or _ABBREVIATION.search(before)):
            continue
        out.append(flat[start : at + 1])
        start = at + 1
    out.append(flat[start:])
    return [s.strip() for s in out if s.strip()]


def _trim(sentence: str, at: int) -> str:
    """The sentence, or ``_QUOTE`` characters of it around ``at``."""
    if len(sentence) <= _QUOTE:
        return sentence
    start = max(0, min(at - _QUOTE // 3, len(sentence) - _QUOTE))
    cut = sentence[start : start + _QUOTE].strip()
    return ("…" if start else "") + cut + ("…" if start + _QUOTE < len(sentence) else "")
