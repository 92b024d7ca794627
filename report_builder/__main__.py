from report_builder.cli import app

app(prog_name="report-builder")
