# Two entry points for a fresh machine: `make report` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: report test bench demo-data fonts clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

report: $(STAMP)
	$(BIN)/report-builder build

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python -m report_builder.bench

demo-data: $(STAMP)
	$(BIN)/report-builder demo-data --output data/demo --overwrite

fonts: $(STAMP)
	$(BIN)/python -m report_builder.report.fonts

clean:
	rm -rf .cache output/*/ .pytest_cache
