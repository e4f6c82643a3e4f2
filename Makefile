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
.PHONY: help venv run migrate test lint format locales locales-extract locales-update bench clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-16s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP) ## Create .venv and install the bot with its development tools

run: venv locales ## Start the bot (long polling); settings come from .env
	$(BIN)/python -m bot

migrate: venv ## Apply database migrations and exit
	$(BIN)/python -m bot migrate

# Most tests wait on Telegram's pacing rather than the CPU, so they run side by side;
# the ones that measure time or rate run alone afterwards.
TEST_WORKERS ?= 8

test: venv locales lint ## Lint, type-check and run every test
	$(BIN)/python -m pytest -m "not serial" -n $(TEST_WORKERS) --dist worksteal
	$(BIN)/python -m pytest -m serial

lint: venv ## ruff check, ruff format --check, mypy --strict
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy --strict bot

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

clean: ## Remove the virtual environment and caches
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
