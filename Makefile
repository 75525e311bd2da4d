# The one entry point. `make crawl` and `make test` are the README's Quick start.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
# `make crawl` archives the live site's recent articles; override for more, e.g.
# make crawl CRAWL_ARGS="--since 2024-01-01"
CRAWL_ARGS ?= --since 7d
# Parallel test workers; the suite is sized for a 2-core machine.
TEST_WORKERS ?= 2

.PHONY: crawl demo install test lint typecheck pytest bench mirror clean

# Debian's python3 lacks venv until python3-venv is installed; install it when needed.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# apt waits up to 10 minutes for another apt or dpkg (an unattended upgrade) to let go of its lock.
APT_GET := $(SUDO) apt-get -o DPkg::Lock::Timeout=600

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV) && \
		$(APT_GET) update -q && $(APT_GET) install -y -q python3-venv && \
		$(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

crawl: $(STAMP)
	$(BIN)/bienphong crawl $(CRAWL_ARGS)

# The environment alone, for a server (docs/operations.md): .venv with the pinned versions.
install: $(STAMP)

# The main job without the network: the shipped mirror crawled into demo.db, then stopped.
demo: $(STAMP)
	$(BIN)/python -m tests.mirror.demo

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# The browser test drives a Chromium of the system's (Playwright never downloads a browser
# here): the one on PATH, else Debian's, installed when, and only when, none is there.
CHROMIUM ?= $(or $(shell command -v chromium || command -v chromium-browser),/usr/bin/chromium)

$(CHROMIUM):
	$(APT_GET) update -q && $(APT_GET) install -y -q chromium

pytest: $(STAMP) $(CHROMIUM)
	env -u http_proxy -u https_proxy -u HTTP_PROXY -u HTTPS_PROXY -u ALL_PROXY -u all_proxy \
		BIENPHONG_CHROMIUM=$(CHROMIUM) $(BIN)/pytest -n $(TEST_WORKERS)

# The benchmarks need the `bench` extra too (newspaper4k, py-spy). About 25 minutes on 2 cores;
# `make bench BENCH_QUICK=1` runs smaller sizes (a few minutes) and says so in the document.
BENCH_STAMP := $(VENV)/.bench-installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	rm -f $(VENV)/.bench-installed-*
	touch $@

bench: $(BENCH_STAMP)
	env -u http_proxy -u https_proxy -u HTTP_PROXY -u HTTPS_PROXY -u ALL_PROXY -u all_proxy \
		BENCH_QUICK=$(BENCH_QUICK) $(BIN)/python -m bench $(BENCH)

# A mirror of the site on a free loopback port, for trying the crawler by hand.
mirror: $(STAMP)
	$(BIN)/python -m tests.mirror --port 8765 --articles 2000 --seed 1

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
