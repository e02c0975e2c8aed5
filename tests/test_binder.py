"""binder/ is what mybinder.org builds: CPU torch, Python 3.11, the course's requirements."""

import os
import re

from helpers.hub import MODEL_STAND_INS
from helpers.paths import REPO_ROOT

BINDER = REPO_ROOT / "binder"


def test_binder_installs_cpu_torch_then_the_course_lock():
    lines = [line.strip() for line in (BINDER / "requirements.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in lines
    torch = next(line for line in lines if line.startswith("torch=="))
    assert re.fullmatch(r"torch==[\d.]+\+cpu", torch), "a CPU build of torch, pinned"
    makefile_torch = re.search(r"^TORCH\s*\?= (\S+)", (REPO_ROOT / "Makefile").read_text(), re.M).group(1)
    assert torch == f"torch=={makefile_torch}+cpu", "Binder runs the torch the suite was tested with"
    post_build = (BINDER / "postBuild").read_text()
    assert "pip install --require-hashes --no-deps -r requirements.lock" in post_build


def test_binder_python_version_and_executable_post_build():
    assert (BINDER / "runtime.txt").read_text().strip() == "python-3.11"
    assert os.access(BINDER / "postBuild", os.X_OK)


def test_post_build_prefetches_only_models_the_course_uses():
    prefetched = re.findall(r'"([\w.-]+/[\w.-]+|[\w.-]+-english)"', (BINDER / "postBuild").read_text())
    assert prefetched and set(prefetched) <= set(MODEL_STAND_INS)
