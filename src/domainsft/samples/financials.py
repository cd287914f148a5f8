"""One consistent financial history per company, in ticks of the company's reporting unit.

The history runs from two years before the first reported year: the earliest year only
provides opening balances (prior-year ROE needs opening equity), every later year has a full
income statement, balance sheet and cash flow. Balances roll forward (retained earnings grow by
the attributable profit less dividends, fixed assets by capex less depreciation) and cash is the
balancing item, so the balance sheet balances and the cash flow ends at the balance-sheet cash.
"""

from __future__ import annotations

import random
from decimal import Decimal

from domainsft.samples.cashflow import add_cash_flow, add_per_share, add_staff
from domainsft.samples.notes import add_notes
from domainsft.samples.numbers import Unit, scale_ratio

Figures = dict[str, int]
_BALANCE_ASSETS = ("receivables", "prepayments", "inventories", "trading_assets", "other_current")
_REVENUE_SHARES_L = {  # liabilities as basis points of revenue: (low, high)
    "st_borrowings": (0, 1500),
    "contract_liab": (200, 800),
    "payroll_payable": (150, 400),
    "taxes_payable": (50, 200),
    "other_cl": (100, 400),
    "lt_borrowings": (0, 1500),
    "lease_liab": (0, 200),
    "deferred_income": (20, 150),
}
_REVENUE_SHARES_A = {
    "receivables": (1200, 3000),
    "prepayments": (100, 300),
    "inventories": (800, 2500),
    "trading_assets": (0, 1500),
    "other_current": (50, 300),
    "lt_investments": (200, 800),
    "deferred_tax_assets": (20, 100),
    "other_noncurrent": (50, 300),
    "cip": (100, 500),
}


def bp(rng: random.Random, lo: int, hi: int) -> Decimal:
    """A ratio drawn in whole basis points, as a Decimal (generation never uses floats)."""
    return Decimal(rng.randint(lo, hi)).scaleb(-4)


class Traits:
    """Per-company ratios that persist across years, so a history looks like one business."""

    def __init__(self, rng: random.Random, lang: str) -> None:
        self.trend = rng.randint(-300, 2000)
        self.opex = {
            k: rng.randint(lo, hi)
            for k, (lo, hi) in {
                "selling": (200, 900),
                "admin": (250, 700),
                "rd": (200, 900),
            }.items()
        }
        # Cap the cost of sales so most companies are profitable but thin margins still occur.
        self.cogs = min(rng.randint(5500, 8000), 9300 - sum(self.opex.values()))
        self.tax_rate = rng.randint(1200, 2500)
        self.minority = rng.randint(0, 600)
        self.payout = rng.randint(1500, 4500)
        self.sbc = rng.randint(50, 300) if lang == "en" else 0
        self.assets = {k: rng.randint(lo, hi) for k, (lo, hi) in _REVENUE_SHARES_A.items()}
        self.liabs = {k: rng.randint(lo, hi) for k, (lo, hi) in _REVENUE_SHARES_L.items()}


def make_history(rng: random.Random, unit: Unit, years: list[int], lang: str) -> dict[int, Figures]:
    """Figures for ``years[0] - 2`` .. ``years[-1]`` (the first of them opening balances only)."""
    traits = Traits(rng, lang)
    low, high = (300, 8000) if unit.currency == "CNY" else (150, 5000)
    revenue0 = Decimal(rng.randint(low * 10**6, high * 10**6)) + bp(rng, 0, 9999)
    first = _opening_year(rng, unit.ticks_of(revenue0), traits, unit, lang)
    history = {years[0] - 2: first}
    for year in range(years[0] - 1, years[-1] + 1):
        history[year] = _next_year(rng, history[year - 1], traits, unit, lang)
    return history


def _opening_year(rng: random.Random, revenue: int, t: Traits, unit: Unit, lang: str) -> Figures:
    f: Figures = {"revenue": revenue}
    _income(rng, f, t)
    share_capital = unit.ticks_of(Decimal(rng.randint(80, 1500) * 10**6))
    f.update(
        share_capital=share_capital,
        capital_reserve=scale_ratio(revenue, bp(rng, 2000, 6000)),
        surplus_reserve=scale_ratio(share_capital, bp(rng, 1000, 4000)),
        retained_earnings=scale_ratio(revenue, bp(rng, 1000, 4000)),
        minority_equity=scale_ratio(revenue, Decimal(t.minority * 3).scaleb(-4)),
        fixed_assets=scale_ratio(revenue, bp(rng, 1500, 4000)),
        intangibles=scale_ratio(revenue, bp(rng, 300, 1000)),
        capex=0,
        dep=0,
        amort=0,
    )
    if lang == "en":
        f["shares"] = rng.randint(40, 900) * 10**6 + rng.randint(0, 999_999)
    _balance(rng, f, t)
    return f


def _next_year(rng: random.Random, prev: Figures, t: Traits, unit: Unit, lang: str) -> Figures:
    growth = Decimal(10_000 + t.trend + rng.randint(-900, 900)).scaleb(-4)
    f: Figures = {"revenue": scale_ratio(prev["revenue"], growth)}
    _income(rng, f, t)
    # Dividends paid this year come out of last year's attributable profit.
    dividend = scale_ratio(max(prev["npa"], 0), Decimal(t.payout).scaleb(-4))
    appropriation = scale_ratio(max(f["npa"], 0), Decimal("0.1"))
    f["dividends"] = dividend
    f.update(
        share_capital=prev["share_capital"],
        capital_reserve=prev["capital_reserve"],
        surplus_reserve=prev["surplus_reserve"] + appropriation,
        retained_earnings=prev["retained_earnings"] + f["npa"] - dividend - appropriation,
        minority_equity=prev["minority_equity"] + f["minority_pl"],
    )
    if "shares" in prev:
        f["shares"] = prev["shares"] + rng.randint(-2, 4) * 10**6
    f["capex"] = scale_ratio(f["revenue"], bp(rng, 300, 900))
    f["dep"] = scale_ratio(prev["fixed_assets"], bp(rng, 800, 1200))
    f["amort"] = scale_ratio(prev["intangibles"], bp(rng, 500, 800))
    f["fixed_assets"] = prev["fixed_assets"] + scale_ratio(f["capex"], Decimal("0.8")) - f["dep"]
    f["intangibles"] = prev["intangibles"] + scale_ratio(f["capex"], Decimal("0.1")) - f["amort"]
    _balance(rng, f, t)
    add_cash_flow(rng, f, prev)
    add_per_share(f, prev, unit)
    add_staff(rng, f, unit)
    add_notes(rng, f)
    return f


def _income(rng: random.Random, f: Figures, t: Traits) -> None:
    r = f["revenue"]

    def share(lo: int, hi: int) -> int:
        return scale_ratio(r, bp(rng, lo, hi))

    f["cost"] = share(t.cogs - 150, t.cogs + 150)
    f["taxes_surcharges"] = share(40, 90)
    for key, mid in t.opex.items():
        f[key] = share(mid - 50, mid + 50)
    f["financial"] = share(0, 200) - share(0, 80)  # net interest: an income for cash-rich firms
    f["other_income"], f["invest_income"] = share(20, 100), share(0, 130) - share(0, 30)
    f["credit_loss"], f["asset_loss"] = share(0, 60), share(0, 50)
    if rng.randrange(12) == 0:  # a goodwill/inventory write-down year: some reports show losses
        f["asset_loss"] += share(800, 2500)
    f["sbc"] = share(t.sbc, t.sbc)
    costs = ("cost", "taxes_surcharges", "selling", "admin", "rd", "financial")
    f["total_operating_cost"] = sum(f[k] for k in costs)
    f["operating_profit"] = (
        r
        - f["total_operating_cost"]
        + f["other_income"]
        + f["invest_income"]
        - f["credit_loss"]
        - f["asset_loss"]
    )
    f["nonop_income"], f["nonop_expense"] = share(2, 30), share(2, 30)
    f["total_profit"] = f["operating_profit"] + f["nonop_income"] - f["nonop_expense"]
    tp = f["total_profit"]
    # A loss-maker still pays some tax (profitable subsidiaries), as in real reports.
    f["income_tax"] = scale_ratio(tp, Decimal(t.tax_rate).scaleb(-4)) if tp > 0 else share(0, 30)
    f["net_profit"] = tp - f["income_tax"]
    f["minority_pl"] = scale_ratio(f["net_profit"], Decimal(t.minority).scaleb(-4))
    f["npa"] = f["net_profit"] - f["minority_pl"]
    one_off = f["other_income"] + f["nonop_income"] - f["nonop_expense"]
    f["npd"] = f["npa"] - scale_ratio(one_off, bp(rng, 7000, 8500))


def _balance(rng: random.Random, f: Figures, t: Traits) -> None:
    r = f["revenue"]
    for key, mid in t.assets.items():
        f[key] = scale_ratio(r, bp(rng, max(mid - 100, 0), mid + 100))
    for key, mid in t.liabs.items():
        f[key] = scale_ratio(r, bp(rng, max(mid - 100, 0), mid + 100))
    f["payables"] = scale_ratio(f["cost"], bp(rng, 1500, 3000))
    f["equity_attributable"] = sum(
        f[k] for k in ("share_capital", "capital_reserve", "surplus_reserve", "retained_earnings")
    )
    f["total_equity"] = f["equity_attributable"] + f["minority_equity"]
    non_cash_nca = (
        "lt_investments",
        "fixed_assets",
        "cip",
        "intangibles",
        "deferred_tax_assets",
        "other_noncurrent",
    )
    f["total_noncurrent_assets"] = sum(f[k] for k in non_cash_nca)
    # Cash balances the sheet; a company short of cash borrows short-term until it has a buffer.
    floor = scale_ratio(r, bp(rng, 800, 2000))
    cash = _liabilities(f) + f["total_equity"] - f["total_noncurrent_assets"]
    cash -= sum(f[k] for k in _BALANCE_ASSETS)
    if cash < floor:
        f["st_borrowings"] += floor - cash
        cash = floor
    f["cash"] = cash
    _liabilities(f)
    f["total_current_assets"] = cash + sum(f[k] for k in _BALANCE_ASSETS)
    f["total_assets"] = f["total_current_assets"] + f["total_noncurrent_assets"]
    f["total_le"] = f["total_liabilities"] + f["total_equity"]


def _liabilities(f: Figures) -> int:
    current = (
        "st_borrowings",
        "payables",
        "contract_liab",
        "payroll_payable",
        "taxes_payable",
        "other_cl",
    )
    f["total_current_liabilities"] = sum(f[k] for k in current)
    f["total_noncurrent_liabilities"] = f["lt_borrowings"] + f["lease_liab"] + f["deferred_income"]
    f["total_liabilities"] = f["total_current_liabilities"] + f["total_noncurrent_liabilities"]
    return f["total_liabilities"]
