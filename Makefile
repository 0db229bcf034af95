# cnopad: two commands for a newcomer. `make run` starts the product (SQLite, demo data);
# `make test` runs everything. Both set up the environment (uv, locked dependencies) on first use.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin

export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(PYTHON)

.PHONY: help run test lint browser typecheck unit bench setup clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(UV):
	@echo "==> installing uv $(UV_VERSION) into $(TOOLS)/ (first run only)"
	@$(PYTHON) -m venv $(TOOLS)
	@$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	@echo "==> creating $(VENV) from uv.lock"
	@$(UV) sync --locked --quiet
	@touch $@

setup: $(VENV)/.synced ## create the virtual environment from the lock file

run: $(VENV)/.synced ## start cnopad on http://127.0.0.1:8000 (SQLite, synthetic demo data)
	@$(BIN)/cnopad run

lint: $(VENV)/.synced ## ruff, mypy --strict and the architecture contract
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint browser ## lint, then the whole test suite (PostgreSQL and Chromium tests included)
	$(BIN)/pytest -n 2 --dist loadgroup

browser: ## install Debian's Chromium for the browser tests when missing (as root, once; never inside pytest)
	@tools/ensure_chromium.sh

unit: $(VENV)/.synced ## only the fast unit tests
	$(BIN)/pytest tests/unit -q

BENCHMARKS := import assess fhir_fetch hooks web population report_text audit load

bench: $(VENV)/.synced ## run the benchmarks (figures and ratios to their baselines)
	@for b in $(BENCHMARKS); do echo "==> bench/$$b.py"; $(BIN)/python bench/$$b.py || exit 1; done

clean: ## remove the environment and caches (not your data)
	rm -rf $(VENV) $(TOOLS) .mypy_cache .ruff_cache .pytest_cache
