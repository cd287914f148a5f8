"""Cash flow, per-share figures and staff numbers of one year, derived from its balance sheet.

Operating cash flow follows the indirect method from profit and working-capital movements;
financing cash flow is the balancing item between the opening and closing cash of the balance
sheets. Both the Chinese direct-method lines and the English indirect-method lines are stored, so
either presentation adds up to the same net figures.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

from domainsft.samples.numbers import Unit, scale_ratio

Figures = dict[str, int]
Share = Callable[[int, int], int]  # (low bp, high bp) -> ticks of revenue
_WC_ASSETS = ("receivables", "inventories", "prepayments", "other_current")
_WC_LIABS = ("payables", "contract_liab", "payroll_payable", "taxes_payable", "other_cl")


def _bp(rng: random.Random, lo: int, hi: int) -> Decimal:
    return Decimal(rng.randint(lo, hi)).scaleb(-4)


def add_cash_flow(rng: random.Random, f: Figures, prev: Figures) -> None:
    r = f["revenue"]

    def share(lo: int, hi: int) -> int:
        return scale_ratio(r, _bp(rng, lo, hi))

    delta = {k: f[k] - prev[k] for k in _WC_ASSETS + _WC_LIABS}
    non_cash = f["dep"] + f["amort"] + f["sbc"] + f["credit_loss"] + f["asset_loss"]
    f["ind_dep_amort"] = f["dep"] + f["amort"]
    f["ind_ar"], f["ind_inv"] = -delta["receivables"], -delta["inventories"]
    f["ind_ap"] = delta["payables"]
    wc = sum(delta[k] for k in _WC_LIABS) - sum(delta[k] for k in _WC_ASSETS)
    f["cfo"] = f["net_profit"] + non_cash - f["invest_income"] + wc + share(0, 150)
    f["ind_other"] = f["cfo"] - (
        f["net_profit"] + f["ind_dep_amort"] + f["sbc"] + f["ind_ar"] + f["ind_inv"] + f["ind_ap"]
    )
    _direct_operating(f, share)
    _investing(rng, f, prev, share)
    f["fx_effect"] = share(0, 30) - share(0, 30)
    f["cash_open"], f["cash_close"] = prev["cash"], f["cash"]
    f["net_change"] = f["cash"] - prev["cash"]
    f["cff"] = f["net_change"] - f["cfo"] - f["cfi"] - f["fx_effect"]
    _financing(rng, f, share)


def _direct_operating(f: Figures, share: Share) -> None:
    f["cfo_sales"] = share(10_600, 11_300)  # receipts are VAT-inclusive
    f["cfo_tax_refund"], f["cfo_other_in"] = share(0, 100), share(30, 200)
    f["cfo_staff"] = share(800, 1500)
    f["cfo_taxes"] = f["taxes_surcharges"] + max(f["income_tax"], 0) + share(200, 400)
    f["cfo_other_out"] = share(200, 600)
    others = f["cfo_staff"] + f["cfo_taxes"] + f["cfo_other_out"] + f["cfo"]
    purchases = f["cfo_sales"] + f["cfo_tax_refund"] + f["cfo_other_in"] - others
    floor = share(3000, 4000)
    if purchases < floor:  # receipts must cover a plausible purchasing bill
        f["cfo_sales"] += floor - purchases
        purchases = floor
    f["cfo_purchases"] = purchases
    f["cfo_in"] = f["cfo_sales"] + f["cfo_tax_refund"] + f["cfo_other_in"]
    f["cfo_out"] = purchases + f["cfo_staff"] + f["cfo_taxes"] + f["cfo_other_out"]


def _investing(rng: random.Random, f: Figures, prev: Figures, share: Share) -> None:
    f["cfi_invest_paid"] = share(500, 3000)
    moved = (f["trading_assets"] - prev["trading_assets"]) + (
        f["lt_investments"] - prev["lt_investments"]
    )
    f["cfi_recover"] = max(f["cfi_invest_paid"] - moved, share(50, 300))
    f["cfi_invest_income"] = scale_ratio(max(f["invest_income"], 0), _bp(rng, 5000, 10_000))
    f["cfi_disposal"] = share(0, 30)
    f["cfi_in"] = f["cfi_recover"] + f["cfi_invest_income"] + f["cfi_disposal"]
    f["cfi_out"] = f["capex"] + f["cfi_invest_paid"]
    f["cfi"] = f["cfi_in"] - f["cfi_out"]


def _financing(rng: random.Random, f: Figures, share: Share) -> None:
    f["cff_equity_in"] = share(0, 500) if rng.random() < 0.25 else 0
    f["cff_dividends"] = f["dividends"] + max(f["financial"], 0)
    f["cff_other_out"] = share(0, 100)
    f["cff_borrow_in"] = scale_ratio(f["st_borrowings"] + f["lt_borrowings"], _bp(rng, 6000, 12000))
    repay = f["cff_equity_in"] + f["cff_borrow_in"] - f["cff_dividends"] - f["cff_other_out"]
    repay -= f["cff"]
    if repay <= 0:  # a cash-hungry year: borrow more so that repayments stay positive
        extra = -repay + share(100, 400)
        f["cff_borrow_in"] += extra
        repay += extra
    f["cff_repay"] = repay
    f["cff_in"] = f["cff_equity_in"] + f["cff_borrow_in"]
    f["cff_out"] = repay + f["cff_dividends"] + f["cff_other_out"]


def add_per_share(f: Figures, prev: Figures, unit: Unit) -> None:
    """EPS in cents and weighted ROE in basis points, from the printed (tick) amounts."""
    shares = Decimal(f["shares"]) if "shares" in f else unit.base(f["share_capital"])
    eps = unit.base(f["npa"]) / shares
    f["eps_basic"] = _round_int(eps * 100)
    dilution = 0 if "shares" not in f else 1  # options outstanding dilute English issuers
    f["eps_diluted"] = f["eps_basic"] - dilution if f["eps_basic"] > 0 else f["eps_basic"]
    avg_equity = Decimal(prev["equity_attributable"] + f["equity_attributable"]) / 2
    f["roe"] = _round_int(Decimal(f["npa"]) / avg_equity * 10_000)


def add_staff(rng: random.Random, f: Figures, unit: Unit) -> None:
    per_head = 900_000 if unit.currency == "CNY" else 380_000
    total = max(int(unit.base(f["revenue"]) / per_head * _bp(rng, 8000, 12000)), 120)
    f["emp_total"] = total
    f["emp_parent"] = scale_ratio(total, _bp(rng, 3500, 7000))
    f["emp_subs"] = total - f["emp_parent"]
    f["emp_rd"] = scale_ratio(total, _bp(rng, 1000, 3500))
    f["edu_phd"] = scale_ratio(total, _bp(rng, 20, 200))
    f["edu_master"] = scale_ratio(total, _bp(rng, 500, 1800))
    f["edu_bachelor"] = scale_ratio(total, _bp(rng, 2000, 4500))
    f["edu_college"] = scale_ratio(total, _bp(rng, 1500, 3000))
    f["edu_below"] = total - sum(
        f[k] for k in ("edu_phd", "edu_master", "edu_bachelor", "edu_college")
    )
    f["role_tech"] = f["emp_rd"] + scale_ratio(total, _bp(rng, 300, 800))
    f["role_sales"] = scale_ratio(total, _bp(rng, 600, 1500))
    f["role_finance"] = scale_ratio(total, _bp(rng, 150, 400))
    f["role_admin"] = scale_ratio(total, _bp(rng, 500, 1200))
    f["role_production"] = total - sum(
        f[k] for k in ("role_tech", "role_sales", "role_finance", "role_admin")
    )


def _round_int(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_HALF_UP))
