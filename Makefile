# mapper: two commands for newcomers (`make demo`, `make test`); the rest for developers.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: install demo test lint format bench chromium clean fuzz

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,scale]'
	touch $(STAMP)

# The example folder holds one broken file and one bad record on purpose: the run lists them
# (exit status 1) and still maps every good report, so 1 is the expected status here.
demo: install
	@$(BIN)/mapper run examples/reports --out out; status=$$?; \
	  if [ $$status -gt 1 ]; then exit $$status; fi; \
	  echo "open out/map.html in a browser (works offline)"

chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian's chromium for the browser tests" >&2; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	  else \
	    echo "chromium is missing; browser tests need: sudo apt-get install --no-install-recommends chromium" >&2; \
	  fi; \
	fi

test: install chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# the dedicated fuzz run: 10,000 hypothesis cases per property, then atheris on the readers
fuzz: install
	$(BIN)/python -m pip install --quiet -e '.[fuzz]'
	MAPPER_FUZZ=1 $(BIN)/python -m pytest tests/test_fuzz.py -q --hypothesis-show-statistics
	$(BIN)/python bench/fuzz_readers.py --runs 100000

lint: install
	$(BIN)/ruff check mapper tests bench
	$(BIN)/ruff format --check mapper tests bench

format: install
	$(BIN)/ruff check --fix mapper tests bench
	$(BIN)/ruff format mapper tests bench

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) out build *.egg-info .pytest_cache .hypothesis
