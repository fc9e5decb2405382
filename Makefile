# `make run` and `make test` each do all set-up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck unit bench clean translations lupdate bundle bundle-smoke

# Translations: the .ts sources are in git; the compiled .qm files are built here for a
# checkout (a wheel compiles its own: setup.py).
TS := $(wildcard resources/i18n/*.ts)
QM := $(TS:.ts=.qm)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

%.qm: %.ts $(STAMP)
	$(BIN)/pyside6-lrelease -silent $< -qm $@

translations: $(QM)

# After changing user-visible strings: refresh the .ts files, then translate what is new.
# English is the sources' language: its catalogue holds only the plural forms of counts.
EN_TS := resources/i18n/tcpmonitor_en.ts
UI_SOURCES = $(shell find tcpmonitor_gui/ui -name "*.py") tcpmonitor_gui/app.py
lupdate: $(STAMP)
	$(BIN)/pyside6-lupdate -no-obsolete -locations none $(UI_SOURCES) -ts $(filter-out $(EN_TS),$(TS))
	$(BIN)/pyside6-lupdate -no-obsolete -locations none -pluralonly $(UI_SOURCES) -ts $(EN_TS)

run: $(STAMP) $(QM)
	$(BIN)/tcpmonitor-gui $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check tcpmonitor_gui tests tools packaging setup.py
	$(BIN)/ruff format --check tcpmonitor_gui tests tools packaging setup.py
	$(BIN)/lint-imports --no-cache

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP) $(QM)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test: lint typecheck unit

bench: $(STAMP)
	$(BIN)/python tests/bench/detection_latency.py
	$(BIN)/python tests/bench/engine_scale.py
	$(BIN)/python tests/bench/gui_responsiveness.py
	$(BIN)/python tests/bench/gui_responsiveness.py --burst
	$(BIN)/python tests/bench/gui_responsiveness.py --profiles 5000
	$(BIN)/python tests/bench/first_notice.py
	$(BIN)/python tests/bench/model_paint.py
	$(BIN)/python tests/bench/log_burst.py
	$(BIN)/python tests/bench/metrics_scrape.py
	$(BIN)/python tests/bench/outages_query.py
	$(BIN)/python tests/bench/details_load.py
	$(BIN)/python tests/bench/peers.py
	$(BIN)/python tests/bench/flood.py

# A one-folder bundle that needs no Python: dist/tcpmonitor-gui/ (packaging/pyinstaller).
bundle: $(STAMP) $(QM)
	$(BIN)/python -m pip install --quiet -e '.[test,package]'
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN --distpath dist \
		--workpath build/pyinstaller packaging/pyinstaller/tcpmonitor-gui.spec

bundle-smoke:
	$(BIN)/python packaging/pyinstaller/smoke.py dist/tcpmonitor-gui

clean:
	rm -rf $(VENV) build dist *.egg-info .mypy_cache .ruff_cache .pytest_cache $(QM)
