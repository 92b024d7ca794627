"""Quarterly customer-activity report for the «В один клик» online shop."""

import atexit

from report_builder.ending import exit_now

__version__ = "0.1.0"

atexit.register(exit_now)  # first of all exit handlers, so it runs last (`ending`)
