# Seatdesk: `make run` sets up and serves the app, `make test` sets up and runs the tests.
VENV   ?= .venv
PY     := $(VENV)/bin/python
FLASK  := $(VENV)/bin/flask --app app
HOST   ?= 127.0.0.1
PORT   ?= 5000
APT_PACKAGES := chromium postgresql redis-server fonts-wqy-microhei poppler-utils wrk
LOCALES  := fr zh_Hans
MO_FILES := $(foreach locale,$(LOCALES),translations/$(locale)/LC_MESSAGES/messages.mo)

.PHONY: run test bench setup system-packages cjk-font db demo lint clean translations

run: setup cjk-font db demo
	$(FLASK) run --host $(HOST) --port $(PORT)

test: setup
	$(PY) -m pytest $(ARGS)

bench: setup
	$(PY) -m benchmarks.invoices
	$(PY) -m benchmarks.load
	$(PY) -m benchmarks.scale

setup: $(VENV)/.installed $(MO_FILES)

$(VENV)/.installed: pyproject.toml
	@command -v python3 >/dev/null || { echo "python3 is required"; exit 1; }
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

# The compiled catalogues the app reads; the .po files are the source, kept in git.
translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(VENV)/.installed
	$(VENV)/bin/pybabel -q compile -d translations -l $*

# Extract every marked string into messages.pot, merge it into the fr and zh_Hans catalogues, compile them.
# New strings arrive untranslated: tests/i18n fails until each has its translation.
translations: setup
	$(VENV)/bin/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 --no-location \
	  --sort-output --project Seatdesk -o translations/messages.pot .
	$(VENV)/bin/pybabel -q update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete
	$(VENV)/bin/pybabel -q compile -d translations --statistics

# Debian packages the browser tests, the PostgreSQL run and the PDFs need (run as root or with sudo).
system-packages:
	@missing=""; for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; fi

# Chinese invoices need a CJK font in the PDF; Debian's WenQuanYi Micro Hei (installed with sudo when not root).
cjk-font:
	@fc-list 2>/dev/null | grep -qi "WenQuanYi" || { SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq fonts-wqy-microhei \
	  || echo "warning: fonts-wqy-microhei is not installed: Chinese text in invoices would not show"; }

db: setup
	$(FLASK) db upgrade

demo: setup
	$(FLASK) seed-demo

lint: setup
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) instance test-results $(MO_FILES)
