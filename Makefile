# The two set-up commands of the README: `make run` and `make test`. Each builds .venv on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test check lint bench catalogs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	touch $(STAMP)

install: $(STAMP)

## Start the bot (without a token: against the built-in local Bot API emulator).
run: $(STAMP)
	$(BIN)/lotse run

## Install and run every test (PostgreSQL tests run when TEST_DATABASE_URL is set).
test: $(STAMP)
	$(BIN)/python -m pytest

## Check the content in content/ as an editor would.
check: $(STAMP)
	$(BIN)/lotse content check content/

lint: $(STAMP)
	$(BIN)/ruff check bot tests bench scripts

## Extract the interface strings into locales/ (keeps existing translations).
catalogs: $(STAMP)
	$(BIN)/python scripts/update_catalogs.py

## Benchmarks (figures are ratios or absolute times measured in one run).
bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache
