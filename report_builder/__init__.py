"""Quarterly customer-activity report for the «В один клик» online shop."""

__version__ = "0.1.0"
