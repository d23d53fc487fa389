# Everything a fresh machine needs: `make run` and `make test` set up the environment themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2
export FLASK_APP := webui

.PHONY: setup run test index reindex translations browser xapian eval bench bench-cluster loadtest clean

setup: $(STAMP) translations

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,cluster]'
	touch $(STAMP)

# Compiled catalogues are built, never committed.
translations: $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d webui/translations -D messages --statistics 2>&1 | tail -n 1

# Build the index from DOCS_DIR (default: seeds/) when there is none yet.
index: setup
	@$(BIN)/python -m search.index.store has-index || $(BIN)/flask reindex

reindex: setup
	$(BIN)/flask reindex

run: index
	$(BIN)/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) --access-logfile - 'webui:create_app()'

# Debian's Chromium drives the browser test; install it when missing and we are allowed to.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium for the browser test..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing and cannot be installed here: the browser test will be skipped"; fi; }

# Debian's xapian-tools gives the xapian-tcpsrv shards the cluster tests start; install it when
# missing and we are allowed to.
xapian:
	@command -v xapian-tcpsrv >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's xapian-tools for the cluster tests..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq xapian-tools >/dev/null; \
	  else echo "xapian-tools is missing and cannot be installed here: the cluster tests will be skipped"; fi; }

test: setup browser xapian
	$(BIN)/python -m pytest -q

eval: setup
	$(BIN)/python -m search.evaluate

bench: setup
	$(BIN)/python -m bench $(BENCH_ARGS)

# The benchmark archive on 1, 2 and 4 Xapian shards beside Whoosh (README, "Benchmark").
bench-cluster: setup xapian
	$(BIN)/python -m bench.cluster $(BENCH_ARGS)

loadtest: setup
	$(BIN)/python -m bench.loadtest

clean:
	rm -rf $(VENV) index_data/* *.egg-info
