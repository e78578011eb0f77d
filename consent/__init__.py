"""The append-only, bitemporal consent ledger and its evaluation."""
