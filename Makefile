# Two commands: `make run` and `make test`. Everything else is set up by them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.requirements.stamp
HOST ?= 127.0.0.1
PORT ?= 8501
export PYTHONDONTWRITEBYTECODE := 1
export FORECASTING_DATA_DIR ?= $(CURDIR)/var

.PHONY: run test bench venv sysdeps migrate seed check clean help

help:
	@echo "make run    set up and start the app on http://$(HOST):$(PORT)"
	@echo "make test   set up and run every test"
	@echo "make bench  run the benchmarks (ratios against baselines measured in the same run)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

venv: $(STAMP)

# System packages (Debian): Chromium for browser tests, a CJK font, Pango and poppler for PDF.
# Installed only when missing; where apt-get is impossible the affected tests say they were skipped.
sysdeps:
	@bash scripts/sysdeps.sh

migrate: venv
	$(BIN)/python -m forecasting db upgrade

seed: migrate
	$(BIN)/python -m forecasting demo seed --if-empty

run: venv seed
	@$(BIN)/python -m forecasting demo banner --url http://$(HOST):$(PORT)
	$(BIN)/streamlit run server.py --server.address $(HOST) --server.port $(PORT) \
	  --server.headless true --browser.gatherUsageStats false

test: venv sysdeps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: venv
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache test-artifacts
