"""The ledger layer: donations, the net/status rules, period totals. Above campaigns, below widgets."""
