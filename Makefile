# `make demo` and `make test` create .venv when missing and install into it,
# with the Spark extra (PySpark; its tests need Java 17 or later).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The demo org: a fixed seed, 40 reps in 4 teams, 3 years ending on DEMO_AS_OF.
DEMO_DIR := demo-org
DEMO_DB := demo.duckdb
DEMO_AS_OF := 2025-12-31
# A rep of the seed-1 demo org whose brief the demo prints (tests/generate checks that the name exists).
DEMO_REP := Brian Ito
# Wide enough that the import report and the team table are not wrapped.
DEMO_COLUMNS := 120

.PHONY: demo test install clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,spark]'
	touch $@

demo: install
	rm -rf $(DEMO_DIR) $(DEMO_DB) $(DEMO_DB).imports
	$(BIN)/rasr generate $(DEMO_DIR) --reps 40 --years 3 --end $(DEMO_AS_OF) --seed 1
	COLUMNS=$(DEMO_COLUMNS) $(BIN)/rasr --db duckdb:///$(DEMO_DB) import generic $(DEMO_DIR)
	COLUMNS=$(DEMO_COLUMNS) $(BIN)/rasr --db duckdb:///$(DEMO_DB) team --as-of $(DEMO_AS_OF)
	COLUMNS=$(DEMO_COLUMNS) $(BIN)/rasr --db duckdb:///$(DEMO_DB) brief "$(DEMO_REP)" --as-of $(DEMO_AS_OF)
	@echo "rasr has no web app yet, so there is nothing to open in a browser: the table and brief above are the demo."

# The Spark tests start one local SparkSession, which listens on 127.0.0.1 only.
test: install
	SPARK_LOCAL_IP=127.0.0.1 $(BIN)/python -m pytest

clean:
	rm -rf $(VENV) $(DEMO_DIR) $(DEMO_DB) $(DEMO_DB).imports .pytest_cache
