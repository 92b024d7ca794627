"""Turns result objects into the HTML report, the PDF and the machine-readable summary."""
