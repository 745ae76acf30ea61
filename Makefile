# The documented commands. `make run` and `make test` set everything up on a fresh machine.
PY      := .venv/bin/python
PIP     := .venv/bin/pip
DATA    ?= data/demo
PORT    ?= 8501
TEST_WORKERS ?= 2
# Only this machine can reach `make run` unless told otherwise: HOST=0.0.0.0 make run listens on
# every interface (then set KECHUANG_ALLOWED_HOSTS to the names clients use; see README).
HOST    ?= 127.0.0.1
APT_PKGS := chromium fonts-noto-cjk
PDF_PKGS := libreoffice-writer-nogui poppler-utils fonts-noto-cjk

.PHONY: run test lint demo bench bench-load screenshots browser pdf postgres clean

.venv/.installed: requirements.txt
	test -x $(PY) || python3 -m venv .venv
	$(PIP) install -q --disable-pip-version-check -r requirements.txt
	touch $@

.venv/.installed-dev: .venv/.installed requirements-dev.txt
	$(PIP) install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(DATA)/enterprises.parquet: | .venv/.installed
	$(PY) -m kechuang demo-data --out $(DATA)

demo: $(DATA)/enterprises.parquet

# Serve the dashboard on http://localhost:$(PORT) (demo data unless KECHUANG_DATA is set):
# serve.py: app.py behind the Host check (metrics closed), with cookie sessions. MALLOC_ARENA_MAX=2:
# glibc's per-thread malloc arenas kept ≈ 100 MiB of thirty sessions' freed memory (README, Load).
run: .venv/.installed
	@if [ -z "$$KECHUANG_DATA" ]; then $(MAKE) --no-print-directory demo; fi
	MALLOC_ARENA_MAX=2 .venv/bin/streamlit run serve.py --server.address $(HOST) --server.port $(PORT)

# Install the Debian packages given that are not installed yet.
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
endef

# Debian's Chromium and CJK fonts for the browser tests and the briefing's charts (a browser download
# does not work here).
browser:
	$(call apt_install,$(APT_PKGS))

# LibreOffice (headless, no GUI) for the PDF briefing, poppler-utils (pdftotext, pdftoppm) for its tests.
pdf:
	$(call apt_install,$(PDF_PKGS))

# Debian's PostgreSQL server: the state database's tests start a throwaway cluster with it.
postgres:
	$(call apt_install,postgresql)

# Python style, the import contracts of pyproject.toml (layers, Streamlit only in the UI, no
# circles) and the SQL of queries/ (.sqlfluff).
lint: .venv/.installed-dev
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports
	.venv/bin/sqlfluff lint queries

# Two pytest workers (pytest-xdist): the browser tests mostly wait on a server or Chromium while the
# others compute. A test file runs whole on one worker, so a browser module's server starts once
# (loadfile: xdist 3.8's loadgroup does not group under pytest 9). TEST_WORKERS=0: one process.
test: .venv/.installed-dev browser pdf postgres lint
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile

bench: .venv/.installed-dev
	$(PY) -m bench.run

# Only the load bench (1, 10, 30 simulated sessions; ≈ 7 min): its section of bench/results.md.
bench-load: .venv/.installed-dev
	$(PY) -m bench.run load

screenshots: .venv/.installed-dev browser
	$(PY) -m pytest tests/browser -k screenshots --screenshots

clean:
	rm -rf .venv .pytest_cache .ruff_cache
