# The two front-door commands: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test install install-test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'

## Set up, harvest the bundled sample portals over local HTTP, serve on http://127.0.0.1:8000
demo: install
	$(BIN)/fedcat demo

## Run the whole test suite (starts its own search engine for the Elasticsearch contract tests)
test: install-test
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) fedcat-demo.db* fedcat.db* .pytest_cache
