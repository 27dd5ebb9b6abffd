# `make demo` and `make test` create .venv when missing and install into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SHARED := ../shared/data
DEMO_DB := demo.db

.PHONY: demo test install clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

demo: install
	rm -f $(DEMO_DB)
	$(BIN)/rasr --db $(DEMO_DB) import maven $(SHARED)/public/maven-crm-sales-opportunities
	$(BIN)/rasr --db $(DEMO_DB) import generic $(SHARED)/maven-extras
	$(BIN)/rasr --db $(DEMO_DB) team --as-of 2017-06-30
	$(BIN)/rasr --db $(DEMO_DB) brief "Darcel Schlecht" --as-of 2017-06-30

test: install
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) $(DEMO_DB) .pytest_cache
