"""binder/ is what mybinder.org builds: CPU torch, Python 3.11, the course's requirements."""

import os
import re

from helpers.hub import MODEL_STAND_INS
from helpers.paths import REPO_ROOT

BINDER = REPO_ROOT / "binder"


def test_binder_installs_cpu_torch_then_the_course_requirements():
    lines = [line.strip() for line in (BINDER / "requirements.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in lines
    assert any(re.fullmatch(r"torch==[\d.]+\+cpu", line) for line in lines), "a CPU build of torch, pinned"
    assert "-r ../requirements.txt" in lines


def test_binder_python_version_and_executable_post_build():
    assert (BINDER / "runtime.txt").read_text().strip() == "python-3.11"
    assert os.access(BINDER / "postBuild", os.X_OK)


def test_post_build_prefetches_only_models_the_course_uses():
    prefetched = re.findall(r'"([\w.-]+/[\w.-]+|[\w.-]+-english)"', (BINDER / "postBuild").read_text())
    assert prefetched and set(prefetched) <= set(MODEL_STAND_INS)
