# The documented commands. `make run` and `make test` set everything up on a fresh machine.
PY      := .venv/bin/python
PIP     := .venv/bin/pip
DATA    ?= data/demo
PORT    ?= 8501
APT_PKGS := chromium fonts-noto-cjk
PDF_PKGS := libreoffice-writer-nogui poppler-utils fonts-noto-cjk

.PHONY: run test lint demo bench screenshots browser pdf clean

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

# Serve the dashboard on http://localhost:$(PORT) (demo data unless KECHUANG_DATA is set).
run: .venv/.installed
	@if [ -z "$$KECHUANG_DATA" ]; then $(MAKE) --no-print-directory demo; fi
	.venv/bin/streamlit run app.py --server.port $(PORT)

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

# Python style, the import contracts of pyproject.toml (layers, Streamlit only in the UI, no
# circles) and the SQL of queries/ (.sqlfluff).
lint: .venv/.installed-dev
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports
	.venv/bin/sqlfluff lint queries

test: .venv/.installed-dev browser pdf lint
	$(PY) -m pytest

bench: .venv/.installed-dev
	$(PY) -m bench.run

screenshots: .venv/.installed-dev browser
	$(PY) -m pytest tests/browser -k screenshots --screenshots

clean:
	rm -rf .venv .pytest_cache .ruff_cache
