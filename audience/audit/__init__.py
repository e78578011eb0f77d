"""Proof for privacy auditors: named checks over lineage, the consent ledger and the export files; one person's
trace through every run; erasure; retention."""
