# The two front-door commands: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test install install-test prerequisites bench clean

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

## What the tests need beyond Python: Java + Maven (test search engine), Chromium + ChromeDriver (browser tests),
## udata and CKAN + ckanext-dcat in their own virtualenvs (interoperability tier)
prerequisites:
	bash .ci/install-engine.sh
	bash .ci/install-browser.sh
	bash .ci/install-clients.sh

## Run the whole test suite (starts its own search engine for the Elasticsearch contract tests)
test: prerequisites install-test
	$(BIN)/python -m pytest

## Regenerate docs/benchmarks.md (80,000 datasets; add ARGS=--engine for the Elasticsearch lines)
bench: install-test
	$(BIN)/python -m bench $(ARGS)

clean:
	rm -rf $(VENV) fedcat-demo.db* fedcat.db* .pytest_cache
