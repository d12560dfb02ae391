# One command to set up and run the main job (demo), one to set up and run the tests (test).
PYTHON ?= python3
export HF_HUB_OFFLINE ?= 1

# Debian packages: Apertium (a real fr→es→en engine that works offline), Grammalecte (the
# optional grammar detector) and Chromium (the browser tests of the report and the review app).
APT_PACKAGES = apertium apertium-fr-es apertium-eng-spa python3-grammalecte chromium

.PHONY: setup system demo test bench

setup: system
	$(PYTHON) -m pip install -q torch==2.13.0   # the CPU wheel; a bare "torch" pulls a multi-GB CUDA build
	$(PYTHON) -m pip install -q -e ".[dev,ct2,ray]"

system:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "note: install$$missing (Debian packages) for the offline engine, grammar checks and browser tests"; fi; \
	fi

demo: setup
	mtcheck check

test: setup
	$(PYTHON) -m pytest

bench: setup
	$(PYTHON) -m pip install -q -e ".[bench]"
	$(PYTHON) benchmarks/segmentation.py
	$(PYTHON) benchmarks/flags.py --limit 300
	$(PYTHON) benchmarks/corrections.py
	$(PYTHON) benchmarks/flag_model_speed.py
	$(PYTHON) benchmarks/engines.py
	$(PYTHON) benchmarks/ct2_load.py
	$(PYTHON) benchmarks/batch.py
	$(PYTHON) benchmarks/input_size.py --sizes 10000,100000,1000000,5000000
	$(PYTHON) benchmarks/reference_alignment.py
	$(PYTHON) benchmarks/document_ranking.py
	$(PYTHON) benchmarks/document_ranking.py --paragraphs
