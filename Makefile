# The two commands a newcomer needs: `make run` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCALES := locales
POT := $(LOCALES)/messages.pot
BABEL_KEYWORDS := -k _ -k __
# Comments that start so, right above a `_()` call, reach translators in the catalogues.
BABEL_COMMENTS := -c TRANSLATORS:

.DEFAULT_GOAL := help
.PHONY: help venv lock run migrate backup test test-postgres test-unit lint format locales locales-extract locales-update bench clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-16s %s\n", $$1, $$2}'

# The exact versions come from the lock files, so a clone, CI and the image install the
# same packages; the bot itself goes in editable, without resolving anything again.
$(STAMP): requirements-dev.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@$(BIN)/python -m pip check || { echo "requirements-dev.lock does not satisfy pyproject.toml: run make lock"; exit 1; }
	@touch $(STAMP)

venv: $(STAMP) ## Create .venv and install the bot with its development tools

# Pinned with hashes for Python 3.11 on Linux (the image's). Run after changing the
# dependencies in pyproject.toml and commit both files; pins that still fit are kept,
# `make lock LOCK_ARGS=--upgrade` moves everything to the newest versions allowed.
LOCK_ARGS ?=
PIP_COMPILE := $(BIN)/pip-compile --quiet --strip-extras --generate-hashes --allow-unsafe \
	--no-header --no-emit-index-url --no-emit-find-links --no-emit-trusted-host $(LOCK_ARGS)

lock: venv ## Pin requirements.lock (runtime) and requirements-dev.lock from pyproject.toml
	$(PIP_COMPILE) -o requirements.lock pyproject.toml
	$(PIP_COMPILE) --extra dev -c requirements.lock -o requirements-dev.lock pyproject.toml

run: venv locales ## Start the bot (long polling); settings come from .env
	$(BIN)/python -m bot

migrate: venv ## Apply database migrations and exit
	$(BIN)/python -m bot migrate

backup: venv ## Back the database up into BACKUP_DIR now (the bot may keep running)
	$(BIN)/python -m bot backup

# Most tests wait on Telegram's pacing rather than the CPU, so they run side by side;
# the storage and handler tests then run again on PostgreSQL (test-postgres); the ones
# that measure time or rate run alone at the end, among them the replica test
# (tests/e2e/test_replicas.py: nginx and PostgreSQL; skipped, saying why, without them).
TEST_WORKERS ?= 12

test: venv locales lint ## Lint, type-check and run every test, on SQLite and on PostgreSQL
	$(BIN)/python -m pytest -m "not serial" -n $(TEST_WORKERS) --dist worksteal
	$(MAKE) --no-print-directory test-postgres
	$(BIN)/python -m pytest -m serial

# The storage, service and handler tests again, on a PostgreSQL server the tests start
# themselves (tests/postgres.py; PostgreSQL 15's binaries in PG_BIN, by default
# /usr/lib/postgresql/15/bin). What only SQLite has (its file, backups) is skipped.
test-postgres: venv locales ## Run the storage and handler tests on PostgreSQL
	TEST_DATABASE=postgresql $(BIN)/python -m pytest -m "not serial" -n $(TEST_WORKERS) --dist worksteal \
		tests/storage tests/handlers tests/collectors

test-unit: venv locales ## Run the pure tests (tests/unit) alone: seconds, no server, no database
	$(BIN)/python -m pytest tests/unit

lint: venv ## ruff check, ruff format --check, mypy --strict
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy --strict bot tests bench

format: venv ## Format the code and apply safe fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

locales: venv ## Compile the gettext catalogues (.po → .mo)
	$(BIN)/pybabel -q compile -d $(LOCALES) -D messages

locales-extract: venv ## Extract message ids from the code into locales/messages.pot
	$(BIN)/pybabel -q extract --no-location --sort-output $(BABEL_KEYWORDS) $(BABEL_COMMENTS) -o $(POT) bot

locales-update: locales-extract ## Merge new message ids into every catalogue
	$(BIN)/pybabel -q update --ignore-obsolete --no-fuzzy-matching -i $(POT) -d $(LOCALES) -D messages

bench: venv locales ## Run the benchmarks (they print ratios against baselines run alongside)
	$(BIN)/python bench/totals.py
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/broadcast.py
	$(BIN)/python bench/digest.py
	$(BIN)/python bench/latency.py
	$(BIN)/python bench/export.py
	$(BIN)/python bench/registry_import.py
	$(BIN)/python bench/collect.py

clean: ## Remove the virtual environment and caches
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
