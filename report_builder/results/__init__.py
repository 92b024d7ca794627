"""Frozen, typed results of the stages: what the report layer reads."""
