# Two entry points for a fresh machine: `make report` and `make test`.
#
# Which Python: an existing $(VENV) of a supported version is kept; otherwise the newest
# python3.X of PYTHON_VERSIONS that runs from PATH (a command that is there but does not run,
# such as a pyenv shim of a version not enabled, is skipped). `make ... PYTHON=/path/to/python3.12`
# chooses explicitly and is checked the same way. Each version installs its own lock,
# requirements/py3.X.lock; `make lock` regenerates them (`make lock UPGRADE=1` to take new releases).
# PYTHON_VERSIONS must match requires-python in pyproject.toml (a test checks it).
PYTHON_VERSIONS := 3.13 3.12 3.11
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
# Locks are resolved for one platform wherever `make lock` runs; pip adds platform-only
# dependencies (colorama on Windows) at install time.
LOCK_PLATFORM := x86_64-manylinux_2_28
# The last finished quarter (UTC), as the CLI computes it: 2 December 2026 -> 2026-Q3, January -> last year's Q4;
# `make report PERIOD=2026-Q3` overrides. One `date` call, so year and month agree; quarters are counted
# as year * 4 + quarter index (1$$m - 100 reads the month "08" as 8, not as octal).
PERIOD = $(shell set -- $$(date -u '+%Y %m'); i=$$(( $$1 * 4 + (1$$2 - 101) / 3 - 1 )); echo "$$(( i / 4 ))-Q$$(( i % 4 + 1 ))")

comma := ,
space := $() $()
# "3.13, 3.12 или 3.11"
or_list = $(subst $(space),$(comma)$(space),$(filter-out $(lastword $(1)),$(1))) или $(lastword $(1))
# "3.12" for an interpreter that runs, nothing for one that does not.
version_of = $(shell $(1) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
supported = $(filter $(PYTHON_VERSIONS),$(1))

VENV_VERSION := $(call version_of,$(BIN)/python)
ifneq ($(PYTHON),)
  PYTHON_VERSION := $(call version_of,$(PYTHON))
else ifneq ($(call supported,$(VENV_VERSION)),)
  PYTHON := $(BIN)/python
  PYTHON_VERSION := $(VENV_VERSION)
else
  PYTHON := $(firstword $(foreach v,$(PYTHON_VERSIONS),$(if $(call supported,$(call version_of,python$(v))),python$(v))))
  PYTHON_VERSION := $(if $(PYTHON),$(patsubst python%,%,$(PYTHON)))
endif
PYTHON_OK := $(call supported,$(PYTHON_VERSION))

.PHONY: report test bench demo-data fonts lock clean print-python print-period python-ok

ifeq ($(PYTHON_OK),)
ifeq ($(PYTHON),)
  PYTHON_PROBLEM := Не найден Python подходящей версии: нужен $(call or_list,$(PYTHON_VERSIONS)) (команда $(call or_list,$(addprefix python,$(PYTHON_VERSIONS))) в PATH).
else ifeq ($(PYTHON_VERSION),)
  PYTHON_PROBLEM := PYTHON=$(PYTHON) не запускается. Нужен Python $(call or_list,$(PYTHON_VERSIONS)).
else
  PYTHON_PROBLEM := PYTHON=$(PYTHON) — это Python $(PYTHON_VERSION), а нужен $(call or_list,$(PYTHON_VERSIONS)).
endif
define PYTHON_HELP
$(PYTHON_PROBLEM)
Установите одну из этих версий и повторите команду:
  Debian 12:     sudo apt install python3.11 python3.11-venv
  Ubuntu 24.04:  sudo apt install python3.12 python3.12-venv
  Fedora:        sudo dnf install python3.13
  macOS:         brew install python@3.13
  pyenv:         pyenv install 3.13 && pyenv global 3.13
Или укажите интерпретатор явно: make report PYTHON=/путь/к/python3.12
endef
export PYTHON_HELP

python-ok:
	@printf '%s\n' "$$PYTHON_HELP" >&2; exit 1
else
LOCK := requirements/py$(PYTHON_VERSION).lock
STAMP := $(VENV)/.installed-$(PYTHON_VERSION)

python-ok:
	@:

$(STAMP): pyproject.toml $(LOCK)
ifneq ($(VENV_VERSION),$(PYTHON_VERSION))
	$(PYTHON) -m venv --clear $(VENV) || { echo "Не удалось создать окружение $(VENV) на Python $(PYTHON_VERSION). В Debian и Ubuntu нужен пакет python$(PYTHON_VERSION)-venv: sudo apt install python$(PYTHON_VERSION)-venv" >&2; exit 1; }
endif
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@
endif

# Which interpreter and lock the other targets would use.
print-python: python-ok
	@echo "Python $(PYTHON_VERSION): $(PYTHON), зависимости из $(LOCK)"

# The period label `make report` would use.
print-period:
	@echo $(PERIOD)

# How to open a file from the shell here: macOS, WSL or a Linux desktop.
OPEN = $(if $(filter Darwin,$(shell uname -s)),open output/$(PERIOD)/report.pdf,$(if $(findstring icrosoft,$(shell uname -r)),explorer.exe "$$(wslpath -w output/$(PERIOD)/report.pdf)",xdg-open output/$(PERIOD)/report.pdf))

report: python-ok $(STAMP)
	$(BIN)/report-builder build --period $(PERIOD) --output output/$(PERIOD)
	@echo "Отчёт: output/$(PERIOD)/report.pdf и output/$(PERIOD)/report.html (остальные файлы там же)"
	@echo 'Открыть: $(OPEN)'

test: python-ok $(STAMP)
	$(BIN)/python -m pytest -q -n 2 --dist loadfile  # two workers, each test file on one: its module fixtures built once

bench: python-ok $(STAMP)
	$(BIN)/python -m report_builder.bench
	$(BIN)/python -m report_builder.bench --history

demo-data: python-ok $(STAMP)
	$(BIN)/report-builder demo-data --output data/demo --overwrite

fonts: python-ok $(STAMP)
	$(BIN)/python -m report_builder.report.fonts

$(BIN)/uv: | python-ok
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)

# One lock per supported version, from pyproject.toml with the test extra. Pins already in a
# lock are kept while they still fit; UPGRADE=1 moves every pin to the newest allowed release.
lock: python-ok $(BIN)/uv
	@mkdir -p requirements
	@for v in $(PYTHON_VERSIONS); do \
	  echo "requirements/py$$v.lock"; \
	  $(BIN)/uv --no-python-downloads pip compile pyproject.toml --extra test \
	    --python-version $$v --python-platform $(LOCK_PLATFORM) --only-binary :all: \
	    --custom-compile-command "make lock" --quiet $(if $(UPGRADE),--upgrade) \
	    --output-file requirements/py$$v.lock || exit 1; \
	done

clean:
	rm -rf .pytest_cache .hypothesis  # reports in output/ are left alone: they may sit beside a user's files
