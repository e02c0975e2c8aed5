# The course's commands. `make help` lists them.
#   make course  - set up, then run every chapter top to bottom (default profile)
#   make test    - set up, then the whole test suite (helpers + every chapter, smoke profile)

PYTHON  ?= $(shell command -v python3.11 || command -v python3)
VENV    ?= .venv
PY      := $(VENV)/bin/python
# auto: the notebooks' rule, decided in one place (helpers.environment.resolve_profile, which the
# harness, the script and every chapter's setup_chapter call): gpu on a CUDA GPU, smoke under 4 GiB of
# memory, cpu elsewhere. The Makefile passes it on as it is.
PROFILE ?= auto
# make comparison measures in this profile, whatever PROFILE says: docs/results.md's table is the cpu
# profile's (a test checks it says so). COMPARISON_PROFILE=gpu measures Chapter 5 on a GPU instead.
COMPARISON_PROFILE ?= cpu
# Extra pytest arguments, e.g. `make test PYTEST_ARGS="-k chapter02 -x"`.
PYTEST_ARGS ?=

# Two pytest workers (pytest-xdist, one file at a time each: a chapter's cells stay together, in
# order), handed the longest files first (conftest.py orders them; --no-loadscope-reorder keeps
# that order instead of xdist's own, by number of tests), so that both finish at about the same
# time. OMP_NUM_THREADS=1: each worker (and each chapter, server and script it starts: setup_chapter
# honours it) computes on one thread, one per core; two workers of two threads each on the 2-core machine
# spent about 12% more CPU waiting on each other (measured: two chapters side by side, 3 min 59 s
# against 3 min 29-40 s). OMP_WAIT_POLICY=PASSIVE keeps any extra threads from spin-waiting.
# Then, in a second short session, the tests that read what the chapters printed.
# actionlint checks the GitHub Actions workflows (.github/workflows/: syntax, expressions, the actions'
# inputs), which cannot run here; tests/test_workflows.py checks that they run what the README names.
# Notebooks are tested with nbval: `--nbval-lax` checks the outputs of cells marked
# `# NBVAL_CHECK_OUTPUT` only; the sanitizer file masks what legitimately varies.
NBVAL_FLAGS = --nbval-lax --nbval-current-env --nbval-sanitize-with tests/nbval-sanitize.cfg \
              --nbval-cell-timeout 900 --nbval-kernel-startup-timeout 180

.PHONY: uv lock test-latest test-oldest doctor site notebooks exercises solutions reference-answers comparison bench bench-faster train-gpt links release help setup kit kit-if-offline course test unit lab clean-notebooks check-notebooks clean

help:
	@echo "make course           set up, then run every chapter (PROFILE=auto|smoke|cpu|gpu; default auto)"
	@echo "make test             set up, then all tests: helpers + every chapter in the smoke profile"
	@echo "make unit             only the helpers' unit tests (under a minute; not the online path)"
	@echo "make lab              JupyterLab on the notebooks"
	@echo "make doctor           when something is wrong: versions, device, disk, kit, Hub and API, each with what to do"
	@echo "make site             the course as a website, from make course's newest complete gpu or cpu run: build/site/html"
	@echo "make kit              build the offline asset kit now (teachers: before class)"
	@echo "make notebooks        write each notebook from its text twin in notebooks/text/ (edit those)"
	@echo "make clean-notebooks  strip outputs and metadata from notebooks before committing"
	@echo "make exercises        write notebooks/exercises/ (blanks) from solutions/NN_exercises.py (edit those)"
	@echo "make solutions        teachers: runnable solution notebooks in build/solutions/ (not committed)"
	@echo "make reference-answers  with an OpenAI key: store the hosted model's answers Chapter 1 shows learners without one"
	@echo "make comparison       Chapter 5 in the cpu profile (COMPARISON_PROFILE=gpu for the gpu one), then its measured table into docs/results.md"
	@echo "make bench            Chapter 4's training loop vs a minimal PyTorch loop: ms/iter, tokens/s, memory"
	@echo "make bench-faster     Chapter 4 trained faster: an ablation of techniques, then the best vs the chapter's recipe (~18 min on 2 cores)"
	@echo "make train-gpt        Chapter 4's GPT as a script (PROFILE=auto|smoke|cpu|gpu); torchrun-ready"
	@echo "make links            rewrite README buttons and notebooks after changing course_tools/links.py"
	@echo "make release VERSION=x.y.z  maintainers: bump, date the CHANGELOG, tag vx.y.z with notebooks that install it (pushes nothing)"
	@echo "make clean            remove executed notebooks, results and test copies (keeps .venv and the kit)"

# The virtual environment, installed from requirements-dev.lock: every package the chapters, the
# tests and the website use, at the exact version (and sha256) the suite passed with, so a class in
# six months installs what was tested today. (requirements.lock, the learners' part of it at the
# same versions, is what Binder installs.)
# torch comes first and on its own, pinned to $(TORCH) where none is installed: which build is right
# differs by machine, so the locks name its version but do not install it. course_tools/torch_install.py
# (standard library only) decides and prints one line saying which and why: a CPU wheel already on
# disk in pip's find-links (this machine's, offline), a CUDA build from PyTorch's index where an NVIDIA
# driver answers, PyTorch's CPU build (about 200 MB) where none does, PyPI's build on a Mac.
# TORCH_INDEX overrides it: pypi, cpu, cuda, local, or a uv backend name (cu128, rocm6.4, xpu); e.g.
#   make test PYTHON=python3.12 VENV=.venv-py312 TORCH_INDEX=pypi   (PyPI's CUDA build runs on a CPU too)
# `pip check` then proves that torch's own dependencies and the locked packages fit together.
# Colab does not use the locks: it keeps its own torch and installs requirements.txt's lower bounds.
# torch and the lock are installed by uv (pinned below; the same hashes, checked the same way as pip
# would): about 5 s where pip takes over a minute for the same 200 packages.
TORCH       ?= 2.13.0
TORCH_INDEX ?= auto
LOCK        ?= requirements-dev.lock
UV_VERSION  := 0.13.9
setup: $(VENV)/.installed
# Then the course itself, editable (`pip install -e .`): notebooks, scripts and tests import its
# `helpers` and `course_tools` packages from this folder, with no sys.path edits anywhere.
$(VENV)/.installed: $(LOCK) pyproject.toml
	@$(PYTHON) course_tools/python_check.py || exit 1
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q uv==$(UV_VERSION)
	$(PY) -m course_tools.torch_install --version $(TORCH) --index $(TORCH_INDEX)
	$(PY) -m uv pip install --quiet --require-hashes --no-deps -r $(LOCK) --python $(PY)
	$(PY) -m pip check
	$(PY) -m pip install -q --no-deps -e .
	@touch $@

# The locks, by uv (a maintained resolver, pinned here): each one resolution for every OS and
# Python >= 3.11, with hashes. requirements-dev.lock from requirements-dev.txt (everything: what
# make setup installs); requirements.lock from requirements.txt alone (what the chapters import:
# Binder's image), constrained to requirements-dev.lock's versions, so the packages they share are
# identical (tests/test_lock.py checks it). torch stays out of both (the marker never holds), for
# the reason above. `make lock` writes them, then runs the whole suite in a fresh environment
# installed from them (.venv-lock): commit the locks only when that passes.
# `make test-latest` does the same with the newest release of everything (torch stays $(TORCH)),
# `make test-oldest` with every lower bound taken exactly, torch's too ($(TORCH_FLOOR), requirements.txt's
# bound), and it first records which of the torch names the course calls that torch has
# (course_tools/torch_api.py; tests/test_torch_api.py checks the code against that record in every
# make test). This machine has no CPU build of the old torch on disk: here run it with
# TORCH_INDEX=pypi (PyPI's CUDA build, about 3 GB, which runs on a CPU). Neither is part of `make test`.
TORCH_FLOOR := $(shell sed -n 's/^torch *>= *\([0-9.]*\).*/\1/p' requirements.txt)
UV_COMPILE  = $(PY) -m uv pip compile --universal --python-version 3.11 --generate-hashes \
              --override build/lock-overrides.txt --quiet
uv: setup
	@mkdir -p build && echo 'torch==$(TORCH) ; sys_platform == "never"' > build/lock-overrides.txt

lock: uv
	$(UV_COMPILE) requirements-dev.txt --upgrade -o requirements-dev.lock
	$(UV_COMPILE) requirements.txt -c requirements-dev.lock -o requirements.lock
	$(MAKE) test VENV=.venv-lock

test-latest: uv
	$(UV_COMPILE) requirements-dev.txt --upgrade -o build/latest.lock
	$(MAKE) test VENV=.venv-latest LOCK=build/latest.lock

test-oldest: uv
	$(UV_COMPILE) requirements-dev.txt --resolution lowest-direct -o build/oldest.lock
	$(MAKE) setup VENV=.venv-oldest LOCK=build/oldest.lock TORCH=$(TORCH_FLOOR)
	.venv-oldest/bin/python -m course_tools.torch_api record
	$(MAKE) test VENV=.venv-oldest LOCK=build/oldest.lock TORCH=$(TORCH_FLOOR)

# Builds the stand-ins only when the Hugging Face Hub cannot be reached (or HF_HUB_OFFLINE=1).
# KIT_CACHE: finished assets kept outside the clone (course_tools/kit/cache.py), so that a second
# clone on this machine copies them, each file checked against its sha256, instead of building them
# again (about 2 minutes on 2 cores). Keyed by the builders' code, the installed library versions and
# the CPU's kernels: any change builds afresh. KIT_CACHE= (empty) turns it off; --force ignores it.
KIT_CACHE ?= $(HOME)/.cache/transformers-course/kit
kit-if-offline: setup
	COURSE_KIT_CACHE=$(KIT_CACHE) $(PY) -m course_tools.kit build --if-offline

kit: setup
	COURSE_KIT_CACHE=$(KIT_CACHE) $(PY) -m course_tools.kit build

course: kit-if-offline
	$(PY) -m course_tools.harness course --profile $(PROFILE)

unit: setup
	$(VENV)/bin/lint-imports
	$(VENV)/bin/actionlint
	$(PY) -m pytest tests -m "not slow" $(PYTEST_ARGS)

# olah, the local Hub mirror the online-path tests start, lives in its own small environment:
# its dependency fastapi-utils pins psutil<6, which the notebooks' Jupyter stack cannot use.
OLAH_VENV := .venv-olah
$(OLAH_VENV)/.installed:
	$(PYTHON) -m venv $(OLAH_VENV)
	$(OLAH_VENV)/bin/python -m pip install -q olah==0.5.4
	@echo olah==0.5.4 > $@

test: kit-if-offline $(OLAH_VENV)/.installed
	$(PY) -m ruff check helpers course_tools tests scripts benchmarks notebooks/text solutions
	$(VENV)/bin/lint-imports
	$(VENV)/bin/actionlint
	rm -rf build/smoke build/online build/executed
	$(PY) -m course_tools.harness prepare --profile smoke --out build/smoke
	OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=1 $(PY) -m pytest -n 2 --dist loadfile --no-loadscope-reorder -m "not after_notebooks" \
	    tests build/smoke $(NBVAL_FLAGS) $(PYTEST_ARGS)
	$(PY) -m pytest -m after_notebooks tests $(PYTEST_ARGS)

# When a chapter fails in a way it does not explain: each check with what to do (exit 1 on a problem).
doctor: setup
	$(PY) -m course_tools.doctor

lab: setup
	$(VENV)/bin/jupyter lab notebooks/

# The course as a static website (Sphinx + MyST-NB, configured in site/), from the executed copies
# `make course` wrote to runs/<profile>/; nothing is re-run. Upload build/site/html. PROFILE=auto (the
# default): the newest complete run of runs/gpu/ and runs/cpu/ (a smoke run only when neither is),
# named on the console and on every page; PROFILE=cpu (or smoke, gpu): runs/cpu/ as it is.
site: setup
	$(PY) -m course_tools.site --profile $(PROFILE)

# After editing a chapter's text twin (notebooks/text/NN_name.py), write its notebook from it
# (outputs of checked cells are kept), then strip what must not be committed.
notebooks: setup
	$(PY) -m jupytext --sync notebooks/text/*.py
	$(PY) -m course_tools.harness clean

# After editing an exercise source (solutions/NN_exercises.py, solutions between ### BEGIN/END SOLUTION):
# write the learners' notebook from it; a test fails when a committed one differs.
exercises: setup
	$(PY) -m course_tools.exercises build

# Teachers: the solutions as runnable notebooks, in build/solutions/ (git-ignored).
solutions: setup
	$(PY) -m course_tools.exercises solutions

clean-notebooks: setup
	$(PY) -m course_tools.harness clean

check-notebooks: setup
	$(PY) -m course_tools.harness clean --check

clean:
	rm -rf runs build results

# After changing the course's address in course_tools/links.py: rewrite README buttons and notebooks.
links: setup
	$(PY) -m course_tools.links

# Maintainers: a release Colab can pin (course_tools/release.py). From a clean tree with notes under the
# CHANGELOG's [Unreleased]: bumps pyproject.toml and CITATION.cff to VERSION, dates the CHANGELOG entry,
# commits the README's buttons and every notebook's first cell naming the tag vVERSION and tags that
# commit, then commits them naming main again. It pushes nothing: it prints the command that does.
release: setup
	@test -n "$(VERSION)" || { echo "which version? make release VERSION=x.y.z (above pyproject.toml's)" >&2; exit 2; }
	$(PY) -m course_tools.release $(VERSION)

# Chapter 5 run for real in COMPARISON_PROFILE (cpu unless told), then its measured comparison
# table copied into docs/results.md between the comparison markers. It reuses Chapter 3's saved models
# when Chapter 3 last ran in the same profile (make course PROFILE=cpu), and trains them otherwise.
# PROFILE does not choose it: a PROFILE other than auto and COMPARISON_PROFILE stops with what to type.
comparison: kit-if-offline
	@if [ "$(PROFILE)" != auto ] && [ "$(PROFILE)" != "$(COMPARISON_PROFILE)" ]; then \
	    echo "make comparison measures in COMPARISON_PROFILE ($(COMPARISON_PROFILE)), not PROFILE: run make comparison COMPARISON_PROFILE=$(PROFILE)" >&2; exit 2; fi
	$(PY) -m course_tools.harness course --only 05 --profile $(COMPARISON_PROFILE)
	$(PY) -m course_tools.readme_table

# Chapter 1's fixed requests sent to the hosted model with a real key; the answers, with model, date
# and token counts, go to data/reference-answers.json (commit it) and are shown to learners without a key.
reference-answers: setup
	$(PY) -m course_tools.reference_answers

# Chapter 4: the helpers training loop's overhead, measured against a minimal loop (prints figures).
bench: kit-if-offline
	$(PY) benchmarks/bench_gpt_loop.py

# About 11 + 6 minutes on 2 CPU cores (measured 2026-11-29); each mode writes its JSON (and the ablation a plot) to build/bench_training_faster/.
bench-faster: kit-if-offline
	$(PY) benchmarks/bench_training_faster.py ablation --budget-minutes 12
	$(PY) benchmarks/bench_training_faster.py side-by-side --rounds 3 --budget-minutes 8

# Chapter 4's model and loop as a script; on several GPUs:
#   .venv/bin/torchrun --standalone --nproc_per_node=NGPUS scripts/train_gpt.py --profile gpu
# Its corpus comes from the kit, online too, so it is built first (seconds, once): under torchrun
# the processes would wait for one build (the kit's lock), but each would print its part of it.
train-gpt: setup
	$(PY) -m course_tools.kit build shakespeare
	$(PY) scripts/train_gpt.py --profile $(PROFILE)
