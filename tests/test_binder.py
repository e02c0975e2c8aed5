"""binder/ is what mybinder.org builds: CPU torch, Python 3.11, the learners' lock, the models.

The static checks read the files; ``test_post_build_builds_the_image`` performs repo2docker's steps
for Python here, in a fresh environment, and runs binder/postBuild itself as Binder would.
"""

import ast
import os
import re
import shutil
import socket
import subprocess
import sys
import time

import pytest

from course_tools import torch_install
from course_tools.pip_check import involved, lock_names, ours
from helpers.hub import MODEL_STAND_INS
from helpers.kit import AssetMissingError, asset_path
from helpers.local_server import free_port
from helpers.paths import REPO_ROOT

BINDER = REPO_ROOT / "binder"
MAKEFILE = (REPO_ROOT / "Makefile").read_text()
# What repo2docker puts in the environment before binder/: its Python 3.11 environment's own list
# (repo2docker/buildpacks/conda/environment.py-3.11.yml), the pip names of its conda packages.
REPO2DOCKER_SERVER = ["ipywidgets==8.*", "jupyter-offlinenotebook==0.3.*", "jupyter-resource-usage==1.*",
                      "jupyter_server==2.*", "jupyterhub==5.*", "jupyterlab==4.*", "notebook==7.*"]
MAINTAINERS_TOOLS = ["pytest", "sphinx", "selenium", "ruff", "nbval", "papermill", "jupytext", "myst-nb"]


def binder_requirements() -> list[str]:
    return [line.strip() for line in (BINDER / "requirements.txt").read_text().splitlines()
            if line.strip() and not line.startswith("#")]


def test_binder_installs_cpu_torch_then_the_learners_lock():
    lines = binder_requirements()
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in lines
    torch = next(line for line in lines if line.startswith("torch=="))
    assert re.fullmatch(r"torch==[\d.]+\+cpu", torch), "a CPU build of torch, pinned"
    makefile_torch = re.search(r"^TORCH\s*\?= (\S+)", MAKEFILE, re.M).group(1)
    assert torch == f"torch=={makefile_torch}+cpu", "Binder runs the torch the suite was tested with"
    post_build = (BINDER / "postBuild").read_text()
    assert re.search(r"pip install .*--require-hashes --no-deps -r requirements\.lock\n", post_build)
    assert "requirements-dev" not in post_build, "the image carries the learners' packages only"
    uv = re.search(r"^UV_VERSION\s*:?= (\S+)", MAKEFILE, re.M).group(1)
    assert f"uv=={uv}" in post_build, "postBuild's uv is the Makefile's"


def test_binder_python_version_and_executable_post_build():
    assert (BINDER / "runtime.txt").read_text().strip() == "python-3.11"
    assert os.access(BINDER / "postBuild", os.X_OK)


def test_post_build_prefetches_only_models_the_course_uses():
    prefetched = re.findall(r'"([\w.-]+/[\w.-]+|[\w.-]+-english)"', (BINDER / "postBuild").read_text())
    assert prefetched and set(prefetched) <= set(MODEL_STAND_INS)


def test_pip_check_keeps_the_courses_problems_only():
    names = lock_names("transformers==5.24.0 \\\n    --hash=sha256:" + "a" * 64 + "\ntraitlets==5.14.3 ; x \\\n"
                       "torch==2.13.0 ; sys_platform == 'never'\n    # via\nTokenizers==0.23.1\n")
    assert names == {"transformers", "traitlets", "torch", "tokenizers"}
    report = ("jupyterhub 5.5.4 requires pamela, which is not installed.\n"               # repo2docker's own
              "jupyter-server 2.21.1 has requirement traitlets>=5.15, but you have traitlets 5.14.3.\n"
              "transformers 5.24.0 requires huggingface-hub, which is not installed.\n"
              "Jupyter_Server 2.21.1 has requirement tornado>=6.5, but you have tornado 6.4.\n")
    kept, left = ours(report, names)
    assert [line.split()[0] for line in kept] == ["jupyter-server", "transformers"]
    assert [line.split()[0] for line in left] == ["jupyterhub", "Jupyter_Server"]
    assert involved("torch 2.13.0+cpu requires sympy, which is not installed.") == {"torch", "sympy"}
    assert ours("No broken requirements found.\n", names) == ([], [])


def _notebook_imports() -> list[str]:
    """The modules the chapters and exercises import from outside the standard library."""
    found = set()
    for path in [*(REPO_ROOT / "notebooks" / "text").glob("*.py"), *(REPO_ROOT / "solutions").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module)
    return sorted(m for m in found if m.split(".")[0] not in sys.stdlib_module_names)


def _cpu_index_reachable() -> bool:
    try:
        socket.create_connection(("download.pytorch.org", 443), timeout=3).close()
        return True
    except OSError:
        return False


@pytest.mark.slow
def test_post_build_builds_the_image(tmp_path):
    """repo2docker's steps, then binder/postBuild unchanged, in a fresh Python 3.11 environment:
    1. what repo2docker installs first (its Jupyter server: REPO2DOCKER_SERVER);
    2. binder/requirements.txt: torch's CPU build. PyTorch's CPU index cannot be reached from the
       machines that test the course, so where this machine has the same wheel on disk (pip's
       find-links: CI's does) it is installed from there, and binder/requirements.txt is used as it
       is only where the index answers;
    3. binder/postBuild, its Hub downloads served by the local Hub mirror (the kit under the real
       repo ids, as for the online tests) through HF_ENDPOINT.
    uv does steps 1-2 (repo2docker uses pip and conda) and uv's cache is this machine's, so a warm
    run takes about half a minute; postBuild itself is as Binder runs it, pip's and uv's downloads too."""
    try:
        asset_path("sentiment-minilm-rt"), asset_path("smollm2-135m-instruct"), asset_path("minilm-l6-v2")
    except AssetMissingError:
        if os.environ.get("CI"):
            raise
        pytest.skip("the offline kit is not built (make kit): the Hub mirror serves it")
    from course_tools.hub_mirror import HubMirror

    python = sys.executable if sys.version_info[:2] == (3, 11) else shutil.which("python3.11")
    if not python:
        pytest.skip("Binder's Python, 3.11, is not on this machine")
    torch = next(line for line in binder_requirements() if line.startswith("torch=="))
    version = torch.removeprefix("torch==").removesuffix("+cpu")
    wheel = torch_install.local_cpu_wheel(version, python=(3, 11))
    if not wheel and not _cpu_index_reachable():
        pytest.skip(f"no {torch} for this machine: PyTorch's CPU index is unreachable and pip's find-links has none")

    uv = [sys.executable, "-m", "uv"]
    env_dir, hf_home = tmp_path / "image-env", tmp_path / "hf-home"
    env_python = env_dir / "bin" / "python"
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "PYTHONPATH", "HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE")}
    cache = subprocess.run([*uv, "cache", "dir"], capture_output=True, text=True, check=True).stdout.strip()
    # This machine's uv cache (postBuild's default is an empty one, removed after); no bytecode
    # compiled (postBuild's default compiles all site-packages: a minute of CPU that tests nothing).
    env.update(PATH=f"{env_dir / 'bin'}{os.pathsep}{env['PATH']}", HF_HOME=str(hf_home), UV_CACHE_DIR=cache,
               UV_COMPILE_BYTECODE="0", UV_PYTHON_DOWNLOADS="never")
    seconds = {}

    def step(name, command, **kwargs):
        started = time.perf_counter()
        done = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=900, **kwargs)
        seconds[name] = round(time.perf_counter() - started, 1)
        assert done.returncode == 0, f"{name} failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
        return done.stdout

    step("environment", [*uv, "venv", "--quiet", "--seed", "--python", python, str(env_dir)])
    step("repo2docker's server", [*uv, "pip", "install", "--quiet", "--python", str(env_python), *REPO2DOCKER_SERVER])
    step("binder/requirements.txt", [*uv, "pip", "install", "--quiet", "--python", str(env_python),
                                     *([str(wheel)] if wheel else ["-r", str(BINDER / "requirements.txt")])])
    with HubMirror(free_port()) as mirror:
        env["HF_ENDPOINT"] = mirror.endpoint
        said = step("postBuild", ["bash", str(BINDER / "postBuild")])
    assert "pip check: the" in said and "fit together" in said

    # What the image holds: CPU torch, no maintainers' tool, every package the chapters import (found,
    # not imported: importing them all costs half a minute of CPU here; tests/test_lock.py checks that
    # each comes from the learners' lock), and torch, transformers and the course's Hub helpers loading.
    checked = step("image", [str(env_python), "-c", (
        "import importlib.util, importlib.metadata as m, sys\n"
        "for n in sys.argv[2].split():\n"
        "    try: m.version(n); print('HAS', n)\n"
        "    except m.PackageNotFoundError: pass\n"
        "print('MISSING', *[n for n in sys.argv[1].split() if importlib.util.find_spec(n) is None])\n"
        "import torch, transformers, helpers.hub\n"
        "print('TORCH', torch.__version__)\n"),
        " ".join(sorted({m.split(".")[0] for m in _notebook_imports()})), " ".join(MAINTAINERS_TOOLS)])
    assert "MISSING\n" in checked, checked
    assert f"TORCH {version}+cpu" in checked
    tools = re.findall(r"^HAS (\S+)", checked, re.M)
    assert not tools, f"maintainers' tools in the image: {tools}"
    for model in re.findall(r'"([\w.-]+/[\w.-]+|[\w.-]+-english)"', (BINDER / "postBuild").read_text()):
        snapshots = list((hf_home / "hub" / f"models--{model.replace('/', '--')}" / "snapshots").glob("*/config.json"))
        assert snapshots, f"postBuild did not download {model}"
    print("Binder build steps (s):", seconds)
    shutil.rmtree(env_dir), shutil.rmtree(hf_home)  # 3 GB that pytest would otherwise keep for three runs
