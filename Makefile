# The two front-door commands: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
#: every install step's output goes here; the terminal gets one line per step (.ci/step.sh)
export FEDCAT_INSTALL_LOG ?= $(CURDIR)/build/install.log
STEP := bash .ci/step.sh

.PHONY: demo test install install-test prerequisites bench clean

$(BIN)/python:
	@$(STEP) "virtualenv $(VENV)" $(PYTHON) -m venv $(VENV)
	@$(STEP) "pip upgrade" $(BIN)/pip install --upgrade pip

install: $(BIN)/python
	@$(STEP) "Python packages" $(BIN)/pip install -e .

install-test: $(BIN)/python
	@$(STEP) "Python packages for the tests" $(BIN)/pip install -e '.[test]'

## Set up, harvest the bundled sample portals over local HTTP, serve on http://127.0.0.1:8000
demo: install
	$(BIN)/fedcat demo

## What the tests need beyond Python: Java + Maven (test search engine), Chromium + ChromeDriver (browser tests),
## udata and CKAN + ckanext-dcat in their own virtualenvs (interoperability tier)
prerequisites:
	@$(STEP) "test search engines (Maven Central)" bash .ci/install-engine.sh
	@$(STEP) "Chromium and ChromeDriver (Debian)" bash .ci/install-browser.sh
	@$(STEP) "udata and CKAN clients (PyPI)" bash .ci/install-clients.sh

## Run the whole test suite (starts its own search engine for the Elasticsearch contract tests)
test: prerequisites install-test
	$(BIN)/python -m pytest

## Regenerate docs/benchmarks.md (80,000 datasets; add ARGS=--engine for the Elasticsearch lines)
bench: install-test
	$(BIN)/python -m bench $(ARGS)

clean:
	rm -rf $(VENV) fedcat-demo.db* fedcat.db* .pytest_cache
