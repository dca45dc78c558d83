"""Funding: subsidy policies, budgets, claims, the ledger, disbursement and clawback."""

SERVICE = "funding"
