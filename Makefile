# Two commands on a fresh machine:  `make demo` (the main job)  and  `make test` (the test suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test test-fast bench clean system-deps

# the demo needs the package only; the tests and benchmarks add their extras (pyspark, playwright, ...)
$(BIN)/.demo-installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	touch $@

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,bench]'
	touch $@ $(BIN)/.demo-installed

# the project's sample data (COLLABATLAS_DATA, else ../shared/data when present); the package itself
# knows no such folder and falls back to its packaged sample
DATA ?= $(or $(COLLABATLAS_DATA),$(wildcard ../shared/data))

demo: $(BIN)/.demo-installed
	$(BIN)/collabatlas demo $(if $(DATA),--data $(DATA)) --report out/demo-report

system-deps:
	scripts/system-deps.sh

# two workers (pytest-xdist), each test file on one worker so a module's store fixture is built once
test: $(BIN)/.installed system-deps
	$(BIN)/ruff check src tests benchmarks scripts
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -q -n 2 --dist loadfile

# the quick tier while you work: no slow, real-data, browser or Spark tests, each hypothesis property with
# a twentieth of its examples (the "fast" profile, tests/conftest.py), two workers (pytest-xdist);
# `make test` runs everything in full. Bytecode is written even where PYTHONDONTWRITEBYTECODE is set:
# without it every worker rewrites the asserts of ~340 modules again (about 10 s each).
test-fast: $(BIN)/.installed
	$(BIN)/ruff check src tests benchmarks scripts
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -q -n 2 --dist loadfile -m "not slow and not realdata and not browser and not spark" --hypothesis-profile=fast

bench: $(BIN)/.installed
	$(BIN)/python -m benchmarks.bench_spine

clean:
	rm -rf $(VENV) collabatlas.duckdb .pytest_cache .hypothesis test-artifacts
