# One command to set up and run the main job (demo), one to set up and run the tests (test).
PYTHON ?= python3
export HF_HUB_OFFLINE ?= 1

.PHONY: setup apertium demo test bench

setup: apertium
	$(PYTHON) -m pip install -q torch==2.13.0   # the CPU wheel; a bare "torch" pulls a multi-GB CUDA build
	$(PYTHON) -m pip install -q -e ".[dev,ct2]"

# Apertium gives a real fr→es→en engine that works offline (Debian packages).
apertium:
	@if ! command -v apertium >/dev/null || [ ! -e /usr/share/apertium/modes/spa-eng.mode ]; then \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq apertium apertium-fr-es apertium-eng-spa >/dev/null; \
	  else echo "note: install apertium apertium-fr-es apertium-eng-spa for the offline engine"; fi; \
	fi

demo: setup
	mtcheck check

test: setup
	$(PYTHON) -m pytest
