# Two commands: `make run` and `make test`. Everything else is set up by them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.requirements.stamp
HOST ?= 127.0.0.1
PORT ?= 8501
# Bytecode caches (and pytest's rewritten test modules) are written, even where the environment says
# PYTHONDONTWRITEBYTECODE: every test worker, app server and CLI subprocess would otherwise compile the
# sources afresh. .gitignore keeps __pycache__ out of the tree.
unexport PYTHONDONTWRITEBYTECODE
export FORECASTING_DATA_DIR ?= $(CURDIR)/var

# Test workers (pytest-xdist); PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= 2
# --dist worksteal: a worker that runs out of tests takes queued ones from the other (per-test times summed to
# 697 s of the 733 s two workers had, 2026-12-05). One fresh clone: 343.7 s against 366.4 s with the default split,
# inside the noise between runs: no gain claimed (docs/development.md).
XDIST := $(if $(filter 0,$(PYTEST_WORKERS)),-p no:xdist,-n $(PYTEST_WORKERS) --dist worksteal)
# Every docstring Examples section in the domain package runs as a doctest (make test and make check),
# in the same pytest run as the tests (one start-up, both workers). TEST_PATHS=tests/test_x.py narrows it.
DOCTEST_MODULES := forecasting ui
TEST_PATHS ?= $(DOCTEST_MODULES) tests

.PHONY: run test check doctest bench venv sysdeps appdeps demo-fresh migrate seed clean help

help:
	@echo "make run    set up and start the app on http://$(HOST):$(PORT)"
	@echo "make test   set up and run every test (PostgreSQL ones too when TEST_DATABASE_URL is set)"
	@echo "make check  the fast inner loop: no browser, no slow test, no demo world (a few minutes)"
	@echo "make demo-fresh  delete the SQLite demo database (the app stopped) and build a demo world for today"
	@echo "make clean  remove .venv and caches; the data folder only when its database is a demo world"
	@echo "make bench  run every benchmark (ratios against baselines measured in the same run), with the first-run"
	@echo "            and suite times; BENCH_ARGS='aqi grids' a subset, BENCH_ARGS='startup' the quick start-up bench"

# An older Python is named before anything is made (pip said only "No matching distribution found for numpy").
# A venv that failed half-way (Debian and Ubuntu ship python3 without ensurepip: python3-venv) is removed, so
# the next run does not find a python without pip and fail on "No module named pip".
$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
	  echo "make: the app needs Python 3.11 or later (its pinned numpy and pandas do); $(PYTHON) is" \
	       "$$($(PYTHON) --version 2>&1). Name another: make run PYTHON=python3.12" >&2; \
	  echo "make：本应用需要 Python 3.11 或更高版本（所固定的 numpy 与 pandas 版本要求）；$(PYTHON) 为" \
	       "$$($(PYTHON) --version 2>&1)。请指定其他 Python：make run PYTHON=python3.12" >&2; exit 1; }
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	  echo "make: '$(PYTHON) -m venv' failed: on Debian or Ubuntu install python3-venv (apt-get install" \
	       "python3-venv), or name another Python 3.11+: make run PYTHON=python3.12" >&2; \
	  echo "make：'$(PYTHON) -m venv' 失败：Debian 或 Ubuntu 请先安装 python3-venv（apt-get install" \
	       "python3-venv），或指定其他 Python 3.11+：make run PYTHON=python3.12" >&2; exit 1; }

$(STAMP): requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

venv: $(STAMP)

# System packages (Debian): Chromium for browser tests, a CJK font, Pango and poppler for PDF.
# Installed only when missing; where apt-get is impossible the affected tests say they were skipped.
sysdeps:
	@bash scripts/sysdeps.sh

# What the app needs of the system (make run): the CJK font and Pango of its PDFs.
appdeps:
	@bash scripts/sysdeps.sh app

# A demo world is built for the day of the build; days later nothing has arrived since (the app's banner says
# so). This deletes the SQLite demo database (never one that is not a demo world) and builds one for today.
demo-fresh: venv
	$(BIN)/python -m forecasting demo reset --host $(HOST) --port $(PORT)
	@$(MAKE) --no-print-directory run

migrate: venv
	$(BIN)/python -m forecasting db upgrade

seed: migrate
	$(BIN)/python -m forecasting demo seed --if-empty

# The app starts at once; on an empty database the demo world is built beside it (the page shows the build's
# progress, then the sign-in; the terminal shows the progress bar and, when done, the demo accounts).
run: venv appdeps migrate
	@$(BIN)/python -m forecasting demo run --host $(HOST) --port $(PORT)

test: venv sysdeps
	$(BIN)/python -m pytest $(XDIST) --durations=25 --doctest-modules $(PYTEST_ARGS) $(TEST_PATHS)

check: venv
	$(BIN)/python -m pytest $(XDIST) -q -m "not slow and not browser" --durations=10 --doctest-modules \
	  $(PYTEST_ARGS) $(TEST_PATHS)

doctest: venv
	$(BIN)/python -m pytest -q -p no:xdist -p no:cacheprovider --doctest-modules $(DOCTEST_MODULES)

# Every bench; the start-up bench also measures the first run and the suite times (issue #16). A subset:
# BENCH_ARGS="aqi grids"; the start-up bench alone, quick: BENCH_ARGS=startup.
BENCH_ARGS ?= --first-run --suite
bench: venv
	$(BIN)/python -m bench $(BENCH_ARGS)

# The virtualenv, caches and test pictures; the app's data folder only when its database is a demo world (deleted
# as `demo reset` deletes it: never a database that is not a demo world, never under a running app). It removed
# var/ whole, a production SQLite database with it.
clean:
	@db="$(FORECASTING_DATA_DIR)/forecasting.sqlite3"; if [ -e "$$db" ]; then \
	  if [ -x $(BIN)/python ]; then \
	    DATABASE_URL="sqlite:///$$db" $(BIN)/python -m forecasting demo reset --host $(HOST) --port $(PORT) \
	      || echo "make clean: kept $$db (see above) / 已保留 $$db（原因见上）" >&2; \
	  else echo "make clean: kept $$db: without $(VENV) it cannot be told whether it holds a demo world" \
	            "/ 已保留 $$db：没有 $(VENV) 无法判断它是否为演示数据库" >&2; fi; fi
	rm -rf $(VENV) .pytest_cache test-artifacts
	@rmdir "$(FORECASTING_DATA_DIR)" 2>/dev/null || true
