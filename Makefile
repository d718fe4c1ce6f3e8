# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint format install clean messages

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/continuum demo

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy

# pytest-xdist: one worker per core (tests grouped with xdist_group stay in one worker, see
# --dist loadgroup in pyproject.toml). PYTEST_ARGS="-n 0" runs the suite in one process.
PYTEST_ARGS ?= -n auto

test: lint
	$(BIN)/continuum makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

format: $(STAMP)
	$(BIN)/ruff check --fix src tests
	$(BIN)/ruff format src tests

# Refresh the message catalogues after changing user-facing text, then translate the new
# entries in src/continuum/locale/nl/LC_MESSAGES/django.po.
messages: $(STAMP)
	cd src/continuum && ../../$(BIN)/continuum makemessages -l nl --no-obsolete --no-location
	cd src/continuum && ../../$(BIN)/continuum compilemessages

clean:
	rm -rf $(VENV) var
