"""English boilerplate for US 10-K-style and UK annual reports, drawn sentence by sentence.

Placeholders: {short} {name} {year} {auditor}.
"""

from __future__ import annotations

import random

from domainsft.samples.context import Ctx
from domainsft.samples.numbers import Unit

NOTICE = [
    "This annual report contains forward-looking statements that involve risks and "
    "uncertainties. Actual results may differ materially from those anticipated.",
    'Words such as "expect", "anticipate", "intend", "plan", "believe" and similar '
    "expressions identify forward-looking statements.",
    "We undertake no obligation to update any forward-looking statement, except as required "
    "by law.",
    'Unless the context requires otherwise, references to "{short}", "the Company", "we" '
    'and "our" refer to {name} and its consolidated subsidiaries.',
    "The consolidated financial statements for {year} were audited by {auditor}.",
]
OVERVIEW = [
    "{short} designs, manufactures and sells products to industrial and commercial customers "
    "in North America, Europe and Asia.",
    "During {year}, demand in our core markets remained resilient, although customers continued "
    "to manage inventories cautiously.",
    "We continued to invest in new product development and in expanding our manufacturing "
    "capacity to support long-term growth.",
    "Pricing actions taken earlier in the year partly offset higher input and freight costs.",
    "Our backlog at the end of the year provides good visibility into the first half of the "
    "coming year.",
    "We completed the integration of the businesses acquired in prior years and realized the "
    "expected cost synergies.",
]
LIQUIDITY = [
    "Our principal sources of liquidity are cash generated from operations, cash and "
    "short-term investments, and our revolving credit facility.",
    "We believe that existing cash and cash equivalents will be sufficient to meet our "
    "working capital and capital expenditure needs for at least the next twelve months.",
    "We were in compliance with all financial covenants under our credit agreements at the "
    "end of the year.",
    "Capital expenditures were primarily related to capacity expansion and automation "
    "projects at our main facilities.",
]
RISK = [
    "Our results could be adversely affected by a downturn in general economic conditions or "
    "in the industries we serve.",
    "We depend on a limited number of suppliers for certain key components, and supply "
    "disruptions could delay shipments.",
    "Fluctuations in foreign currency exchange rates could reduce our reported revenue and "
    "profitability.",
    "Cybersecurity incidents could disrupt our operations and expose us to liability.",
    "Changes in tax laws or their interpretation could increase our effective tax rate.",
    "We may be unable to protect our intellectual property adequately.",
]
GOVERNANCE = [
    "The Board is responsible for the long-term success of the Company and for setting its "
    "strategy, values and standards.",
    "The Board has established audit, remuneration and nomination committees, each composed "
    "entirely of independent non-executive directors.",
    "The Audit Committee oversees financial reporting, internal controls and the relationship "
    "with the external auditor.",
    "Directors are subject to annual re-election by shareholders at the annual general meeting.",
]
PEOPLE = [
    "We believe our employees are our most important asset and we invest in their training "
    "and development.",
    "None of our employees in the United States is represented by a labor union, and we "
    "consider our employee relations to be good.",
    "We offer competitive compensation, including equity awards for eligible employees.",
]
SUSTAINABILITY = [
    "We are committed to reducing the environmental impact of our operations and have set "
    "targets to reduce Scope 1 and 2 emissions.",
    "In {year}, the share of electricity we purchased from renewable sources increased.",
    "We maintain a health and safety management system and track lost-time incidents at all sites.",
    "Our supplier code of conduct sets out our expectations on labour standards and ethics.",
]
AUDIT = [
    "We have audited the accompanying consolidated balance sheets of {name} as of December 31, "
    "{year} and the related consolidated statements of operations and cash flows.",
    "In our opinion, the consolidated financial statements present fairly, in all material "
    "respects, the financial position of the Company and the results of its operations.",
    "These financial statements are the responsibility of the Company's management. Our "
    "responsibility is to express an opinion on these financial statements based on our audits.",
    "We conducted our audits in accordance with the standards of the Public Company Accounting "
    "Oversight Board and International Standards on Auditing.",
]


def paragraph(rng: random.Random, pool: list[str], n: int, **fmt: object) -> str:
    picks = rng.sample(pool, min(n, len(pool)))
    return " ".join(s.format(**fmt) for s in picks)


ACCOUNTING = [
    "The consolidated financial statements include the accounts of the Company and its "
    "wholly owned and majority-owned subsidiaries. Intercompany balances have been eliminated.",
    "The preparation of financial statements requires management to make estimates and "
    "assumptions that affect the reported amounts of assets, liabilities, revenue and expenses.",
    "Revenue is recognized when control of the promised goods or services is transferred to "
    "customers, in an amount that reflects the consideration we expect to be entitled to.",
    "Inventories are stated at the lower of cost, determined on a first-in, first-out basis, "
    "and net realizable value.",
    "Property, plant and equipment are stated at cost less accumulated depreciation, computed "
    "using the straight-line method over the estimated useful lives of the assets.",
    "We maintain an allowance for credit losses based on expected losses over the life of our "
    "receivables, considering historical experience and current conditions.",
    "Goodwill is tested for impairment annually in the fourth quarter, or more frequently if "
    "events indicate that it may be impaired.",
    "Share-based compensation is measured at the grant-date fair value of the awards and "
    "recognized over the requisite service period.",
]
OFFICER_TITLES = [
    "Chief Executive Officer",
    "Chief Financial Officer",
    "Chief Operating Officer",
    "General Counsel and Secretary",
    "Chief Technology Officer",
    "President, International",
]

LETTER = [
    "Dear fellow shareholders, {year} was a year of disciplined execution for {short}.",
    "We delivered on our commitments to customers while continuing to invest for the future.",
    "Our teams responded with agility to shifting demand patterns and supply-chain constraints.",
    "We launched several new products that broaden our addressable market and strengthen our "
    "relationships with key customers.",
    "We remain focused on operational excellence, and our productivity programs again "
    "contributed meaningfully to our results.",
    "Capital allocation remains balanced between organic investment, acquisitions and returning "
    "cash to shareholders.",
    "I would like to thank our employees for their dedication, and our customers and "
    "shareholders for their continued support.",
    "Looking ahead, we are confident that our strategy positions us well for sustainable, "
    "profitable growth.",
]
BUSINESS = [
    "We sell our products through a direct sales force and a network of independent "
    "distributors and value-added resellers.",
    "Our customers include original equipment manufacturers, system integrators and end users "
    "in more than forty countries.",
    "No single customer accounted for more than ten percent of our revenue in {year}.",
    "We compete on the basis of product performance, reliability, breadth of portfolio, price "
    "and customer service.",
    "We rely on a combination of patents, trademarks, trade secrets and contractual "
    "protections to establish and protect our intellectual property.",
    "Our operations are subject to environmental, health and safety, export control and "
    "anti-corruption laws in the jurisdictions where we operate.",
    "We source raw materials and components from suppliers around the world and maintain "
    "alternative sources for most critical inputs.",
    "Our research and development activities focus on next-generation platforms, software and "
    "materials science.",
]
PROPERTIES = [
    ("Headquarters and research center", "Owned"),
    ("Main manufacturing plant", "Owned"),
    ("European distribution center", "Leased"),
    ("Asia Pacific sales office", "Leased"),
    ("Second manufacturing plant", "Leased"),
]
AGM = [
    "The annual general meeting will be held at the Company's headquarters in May {next_year}.",
    "Shareholders may vote in person, by proxy or electronically through the registrar's "
    "online voting platform.",
    "The Board recommends a final dividend for the year, subject to shareholder approval.",
    "Copies of this annual report are available on the investor relations section of our website.",
]


def write(ctx: Ctx, pool: list[str], n: int, paragraphs: int = 1) -> None:
    ctx.write(pool, n, paragraphs, sep=" ")


def unit_note(unit: Unit) -> str:
    return f"(in {unit.scale} of US dollars, except per share data)"
