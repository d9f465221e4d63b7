# sekisho — two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
SAMPLES := samples/logs
DB     := .sekisho/sample.duckdb

.PHONY: run test lint format samples clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## run: create .venv, install, and run the main job on the bundled sample logs
run: $(STAMP)
	@mkdir -p .sekisho
	@rm -f $(DB)
	$(BIN)/sekisho catalog validate
	$(BIN)/sekisho scan $(SAMPLES) --db $(DB)
	$(BIN)/sekisho scope baidu-ime --db $(DB)
	$(BIN)/sekisho report --html report.html --db $(DB) --lang ja
	@echo "report: $(CURDIR)/report.html"

## test: the whole test suite (lint, types, layers, unit, integration, real-world corpora)
test: $(STAMP) lint
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff format --check sekisho tests benchmarks scripts
	$(BIN)/ruff check sekisho tests benchmarks scripts
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format sekisho tests benchmarks scripts
	$(BIN)/ruff check --fix sekisho tests benchmarks scripts

## samples: regenerate the bundled sample logs (deterministic, seeded)
samples: $(STAMP)
	$(BIN)/python scripts/make_samples.py $(SAMPLES)

clean:
	rm -rf $(VENV) .sekisho .pytest_cache .mypy_cache .ruff_cache
