"""Income statement, balance sheet and cash flow statement of a US- or UK-style issuer.

US filers print expenses as positive amounts and subtract them; UK (IFRS) reports print them
in brackets and add everything up. Both come from one spec: the UK variant flips the signs of the
cost lines (``statements.flip``) so the printed figures still add up.
"""

from __future__ import annotations

from domainsft.samples.statements import Spec, flip, head, item, total

_OPEX = "taxes_surcharges+admin+credit_loss+asset_loss"  # what a US filer calls G&A
_LESS_OPEX = "-taxes_surcharges-admin-credit_loss-asset_loss"
_UK_COSTS = {"cost", "rd", "selling", "admin", "total_opex", "interest", "income_tax", "minority"}


def income(market: str) -> list[Spec]:
    us = market == "us"
    specs = [
        item("revenue", "Net sales" if us else "Revenue", "revenue", level=0),
        item("cost", "Cost of revenue" if us else "Cost of sales", "cost_of_revenue", level=0),
        total("gross_profit", "Gross profit", "revenue-cost", expr="revenue-cost"),
        head("Operating expenses:"),
        item("rd", "Research and development", "rd_expenses"),
        item("selling", "Sales and marketing" if us else "Selling expenses", "selling_expenses"),
        item(
            "admin",
            "General and administrative" if us else "Administrative expenses",
            "admin_expenses",
            expr=_OPEX,
        ),
        total(
            "total_opex", "Total operating expenses", "rd+selling+admin", expr=f"rd+selling+{_OPEX}"
        ),
        total(
            "operating_profit",
            "Operating income" if us else "Operating profit",
            "gross_profit-total_opex",
            "operating_profit",
            expr=f"revenue-cost-rd-selling{_LESS_OPEX}",
        ),
        item(
            "interest",
            "Interest expense, net" if us else "Finance costs",
            "financial_expenses",
            expr="financial",
            level=0,
        ),
        item(
            "other_net",
            "Other income (expense), net",
            expr="other_income+invest_income+nonop_income-nonop_expense",
            level=0,
        ),
        total(
            "total_profit",
            "Income before income taxes" if us else "Profit before tax",
            "operating_profit-interest+other_net",
            "total_profit",
        ),
        item(
            "income_tax",
            "Provision for income taxes" if us else "Income tax expense",
            "income_tax",
            level=0,
        ),
        total(
            "net_profit",
            "Net income" if us else "Net profit",
            "total_profit-income_tax",
            "net_profit",
        ),
        item(
            "minority",
            "Less: Net income attributable to noncontrolling interests"
            if us
            else "Non-controlling interests",
            expr="minority_pl",
        ),
        total(
            "npa",
            "Net income attributable to shareholders"
            if us
            else "Net profit attributable to shareholders of the parent",
            "net_profit-minority",
            "net_profit_attributable",
        ),
        head("Earnings per share:"),
        item("eps_basic", "Basic earnings per share", "eps_basic", kind="per_share"),
        item("eps_diluted", "Diluted earnings per share", "eps_diluted", kind="per_share"),
    ]
    return specs if us else flip(specs, _UK_COSTS)


def balance(market: str) -> list[Spec]:
    us = market == "us"
    return [
        head("Current assets:"),
        item("cash", "Cash and cash equivalents", "cash"),
        item("trading_assets", "Short-term investments"),
        item(
            "receivables",
            "Accounts receivable, net" if us else "Trade receivables",
            "accounts_receivable",
        ),
        item("inventories", "Inventories", "inventories"),
        item(
            "prepaid", "Prepaid expenses and other current assets", expr="prepayments+other_current"
        ),
        total(
            "tca",
            "Total current assets",
            "cash+trading_assets+receivables+inventories+prepaid",
            "total_current_assets",
            expr="total_current_assets",
        ),
        item("ppe", "Property, plant and equipment, net", "fixed_assets", expr="fixed_assets+cip"),
        item("intangibles", "Intangible assets, net"),
        item("lt_investments", "Long-term investments"),
        item("deferred_tax_assets", "Deferred tax assets"),
        item("other_noncurrent", "Other non-current assets"),
        total(
            "tnca",
            "Total non-current assets",
            "ppe+intangibles+lt_investments+deferred_tax_assets+other_noncurrent",
            "total_non_current_assets",
            expr="total_noncurrent_assets",
        ),
        total("total_assets", "Total assets", "tca+tnca", "total_assets"),
        head("Current liabilities:"),
        item("st_borrowings", "Short-term borrowings", "short_term_borrowings"),
        item("payables", "Accounts payable" if us else "Trade payables", "accounts_payable"),
        item(
            "accrued",
            "Accrued expenses and other current liabilities",
            expr="payroll_payable+taxes_payable+other_cl",
        ),
        item("deferred_rev", "Deferred revenue", expr="contract_liab"),
        total(
            "tcl",
            "Total current liabilities",
            "st_borrowings+payables+accrued+deferred_rev",
            "total_current_liabilities",
            expr="total_current_liabilities",
        ),
        item("lt_debt", "Long-term debt", expr="lt_borrowings"),
        item(
            "lease", "Operating lease liabilities" if us else "Lease liabilities", expr="lease_liab"
        ),
        item("other_ncl", "Other non-current liabilities", expr="deferred_income"),
        total(
            "tl",
            "Total liabilities",
            "tcl+lt_debt+lease+other_ncl",
            "total_liabilities",
            expr="total_liabilities",
        ),
        head("Equity:"),
        item("share_capital", "Common stock" if us else "Share capital"),
        item(
            "apic", "Additional paid-in capital" if us else "Share premium", expr="capital_reserve"
        ),
        item("retained", "Retained earnings", expr="surplus_reserve+retained_earnings"),
        total(
            "equity_attributable",
            "Total shareholders' equity attributable to the Company"
            if us
            else "Equity attributable to shareholders of the parent",
            "share_capital+apic+retained",
            "equity_attributable",
        ),
        item("minority_equity", "Noncontrolling interests" if us else "Non-controlling interests"),
        total(
            "total_equity", "Total equity", "equity_attributable+minority_equity", "total_equity"
        ),
        total(
            "total_le",
            "Total liabilities and equity",
            ("tl+total_equity", "total_assets"),
            "total_liabilities_and_equity",
        ),
    ]


def cash_flow(market: str) -> list[Spec]:
    us = market == "us"
    return [
        head("Operating activities"),
        item("net_profit", "Net income" if us else "Net profit", "net_profit"),
        item("da", "Depreciation and amortization", expr="ind_dep_amort"),
        item("sbc", "Share-based compensation"),
        head("Changes in operating assets and liabilities:", level=1),
        item("ind_ar", "Accounts receivable" if us else "Trade receivables", level=2),
        item("ind_inv", "Inventories", level=2),
        item("ind_ap", "Accounts payable" if us else "Trade payables", level=2),
        item("ind_other", "Other operating assets and liabilities, net", level=2),
        total(
            "cfo",
            "Net cash provided by operating activities"
            if us
            else "Net cash from operating activities",
            "net_profit+da+sbc+ind_ar+ind_inv+ind_ap+ind_other",
            "operating_cash_flow",
        ),
        head("Investing activities"),
        item(
            "capex",
            "Purchases of property and equipment" if us else "Capital expenditure",
            "capex",
            expr="-capex",
        ),
        item("invest_paid", "Purchases of investments", expr="-cfi_invest_paid"),
        item(
            "invest_in",
            "Proceeds from sales and maturities of investments",
            expr="cfi_recover+cfi_invest_income",
        ),
        item("other_inv", "Other investing activities, net", expr="cfi_disposal"),
        total(
            "cfi",
            "Net cash used in investing activities" if us else "Net cash from investing activities",
            "capex+invest_paid+invest_in+other_inv",
            "investing_cash_flow",
        ),
        head("Financing activities"),
        item("borrow", "Proceeds from borrowings", expr="cff_borrow_in"),
        item("equity_in", "Proceeds from issuance of shares", expr="cff_equity_in"),
        item("repay", "Repayments of borrowings", expr="-cff_repay"),
        item("dividends", "Dividends and interest paid", expr="-cff_dividends"),
        item("other_fin", "Other financing activities, net", expr="-cff_other_out"),
        total(
            "cff",
            "Net cash used in financing activities" if us else "Net cash from financing activities",
            "borrow+equity_in+repay+dividends+other_fin",
            "financing_cash_flow",
        ),
        item("fx_effect", "Effect of exchange rate changes on cash", level=0),
        total("net_change", "Net increase (decrease) in cash", "cfo+cfi+cff+fx_effect"),
        item("cash_open", "Cash and cash equivalents at beginning of year", level=0),
        total(
            "cash_close", "Cash and cash equivalents at end of year", "net_change+cash_open", "cash"
        ),
    ]
