"""course_tools/torch_install.py: which torch build `make setup` installs on which machine.

The indexes are never reached here: the machine is made up (or its probes are), and only the
decision, and the command it leads to, are checked.
"""

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from course_tools import torch_install
from course_tools.torch_install import Machine, choose
from helpers.paths import REPO_ROOT

V = "2.13.0"
WHEEL = Path(f"/opt/wheels/torch-{V}+cpu-cp311-cp311-manylinux_2_28_x86_64.whl")

# machine, TORCH_INDEX -> the index chosen, and what follows `uv pip install`
TABLE = [
    # Linux laptop, no GPU: PyTorch's CPU build, not PyPI's 2.5 GB CUDA one
    (Machine("Linux", "x86_64", None, None), "auto", "cpu", [f"torch=={V}", "--torch-backend=cpu"]),
    (Machine("Linux", "aarch64", None, None), "auto", "cpu", [f"torch=={V}", "--torch-backend=cpu"]),
    # this machine: no GPU, a CPU wheel in pip's find-links: that wheel, offline
    (Machine("Linux", "x86_64", None, WHEEL), "auto", "local", [str(WHEEL)]),
    # an NVIDIA GPU: a CUDA build, uv matching the CUDA version to the driver (a local CPU wheel is not taken)
    (Machine("Linux", "x86_64", "570.86.15", None), "auto", "cuda", [f"torch=={V}", "--torch-backend=auto"]),
    (Machine("Linux", "x86_64", "570.86.15", WHEEL), "auto", "cuda", [f"torch=={V}", "--torch-backend=auto"]),
    (Machine("Windows", "AMD64", "576.02", None), "auto", "cuda", [f"torch=={V}", "--torch-backend=auto"]),
    (Machine("Windows", "AMD64", None, None), "auto", "cpu", [f"torch=={V}", "--torch-backend=cpu"]),
    # Apple silicon (and any Mac): PyPI's default wheel
    (Machine("Darwin", "arm64", None, None), "auto", "pypi", [f"torch=={V}"]),
    (Machine("Darwin", "x86_64", None, None), "auto", "pypi", [f"torch=={V}"]),
    # the override: a maintainer here installing PyPI's build for a Python the local wheel is not for
    (Machine("Linux", "x86_64", None, WHEEL), "pypi", "pypi", [f"torch=={V}"]),
    (Machine("Linux", "x86_64", None, WHEEL), "cpu", "cpu", [f"torch=={V}", "--torch-backend=cpu"]),
    (Machine("Linux", "x86_64", None, None), "cuda", "cuda", [f"torch=={V}", "--torch-backend=auto"]),
    (Machine("Linux", "x86_64", "570.86.15", WHEEL), "local", "local", [str(WHEEL)]),
    (Machine("Linux", "x86_64", "570.86.15", None), "cu128", "cu128", [f"torch=={V}", "--torch-backend=cu128"]),
    (Machine("Linux", "x86_64", None, None), "ROCm6.4", "rocm6.4", [f"torch=={V}", "--torch-backend=rocm6.4"]),
    (Machine("Linux", "x86_64", None, None), "", "cpu", [f"torch=={V}", "--torch-backend=cpu"]),
]


@pytest.mark.parametrize("machine, requested, index, args", TABLE)
def test_each_machine_gets_its_build(machine, requested, index, args):
    choice = choose(machine, V, requested)
    assert (choice.index, choice.args) == (index, args)
    assert choice.why and "\n" not in choice.why


def test_a_wrong_or_impossible_override_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="auto.pypi.cpu.cuda.local"):
        choose(Machine("Linux", "x86_64", None, None), V, "conda")
    with pytest.raises(ValueError, match="no torch-2.13.0.cpu wheel"):
        choose(Machine("Linux", "x86_64", None, None), V, "local")


def test_the_detected_machine_is_what_the_decision_reads(monkeypatch):
    """detect() with its probes mocked: an NVIDIA driver found, and none (a Mac is never probed)."""
    monkeypatch.setattr(torch_install.platform, "system", lambda: "Linux")
    monkeypatch.setattr(torch_install.platform, "machine", lambda: "x86_64")
    monkeypatch.setattr(torch_install, "nvidia_driver", lambda: "550.54.15")
    monkeypatch.setattr(torch_install, "find_links", lambda: [])
    assert choose(torch_install.detect(V), V).index == "cuda"
    monkeypatch.setattr(torch_install, "nvidia_driver", lambda: None)
    assert choose(torch_install.detect(V), V).index == "cpu"
    monkeypatch.setattr(torch_install.platform, "system", lambda: "Darwin")
    monkeypatch.setattr(torch_install.platform, "machine", lambda: "arm64")
    monkeypatch.setattr(torch_install, "nvidia_driver", lambda: pytest.fail("a Mac has no NVIDIA driver to probe"))
    assert choose(torch_install.detect(V), V).index == "pypi"


def test_the_driver_is_read_where_it_says_its_version(monkeypatch, tmp_path):
    proc = tmp_path / "version"
    proc.write_text("NVRM version: NVIDIA UNIX x86_64 Kernel Module  570.86.15  Thu Jan  1 2026\n"
                    "GCC version:  gcc version 12.2.0 (Debian 12.2.0-14)\n")
    monkeypatch.setattr(torch_install, "DRIVER_FILES", (str(tmp_path / "absent"), str(proc)))
    assert torch_install.nvidia_driver() == "570.86.15"


def test_nvidia_smi_that_answers_nothing_is_no_gpu(monkeypatch, tmp_path):
    """nvidia-smi present but without a driver to talk to (a container without the GPU): no GPU."""
    monkeypatch.setattr(torch_install, "DRIVER_FILES", ())
    smi = tmp_path / "nvidia-smi"
    smi.write_text("#!/bin/sh\necho 'NVIDIA-SMI has failed because it could not communicate with the driver'\nexit 9\n")
    smi.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert torch_install.nvidia_driver() is None
    smi.write_text("#!/bin/sh\necho '570.86.15'\n")
    assert torch_install.nvidia_driver() == "570.86.15"


def test_a_local_wheel_counts_only_for_this_python_and_machine(tmp_path):
    for name in [f"torch-{V}+cpu-cp312-cp312-manylinux_2_28_x86_64.whl", f"torch-{V}-cp311-cp311-manylinux_2_28_x86_64.whl",
                 f"torch-{V}+cpu-cp311-cp311-manylinux_2_28_aarch64.whl", "torch-2.12.0+cpu-cp311-cp311-linux_x86_64.whl"]:
        (tmp_path / name).touch()
    find = lambda python, arch="x86_64": torch_install.local_cpu_wheel(V, "Linux", arch, python, [tmp_path])
    assert find((3, 11)) is None  # a CUDA build, another processor, another version: none is it
    assert find((3, 12)).name.startswith(f"torch-{V}+cpu-cp312")
    assert find((3, 11), "aarch64").name.endswith("aarch64.whl")
    assert torch_install.local_cpu_wheel(V, "Darwin", "arm64", (3, 12), [tmp_path]) is None


def test_find_links_come_from_the_environment_and_pips_configuration(monkeypatch, tmp_path):
    monkeypatch.setenv("PIP_FIND_LINKS", f"file://{tmp_path} https://example.org/wheels /no/such/folder")
    monkeypatch.delenv("UV_FIND_LINKS", raising=False)
    assert tmp_path in torch_install.find_links()


def test_the_module_is_standard_library_only_and_runs_before_the_environment_has_anything():
    source = Path(torch_install.__file__).read_text()
    imported = {alias.name.split(".")[0] for node in ast.walk(ast.parse(source))
                if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(ast.parse(source))
                 if isinstance(node, ast.ImportFrom) and node.module}
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}
    assert "import" not in (REPO_ROOT / "course_tools" / "__init__.py").read_text().split('"""')[-1]
    # -I -S: no site-packages at all (and the course not installed): the bare interpreter of a new venv.
    env = {k: v for k, v in os.environ.items() if k != "TORCH_INDEX"}
    done = subprocess.run([sys.executable, "-I", "-S", "-c",
                           f"import sys; sys.path.insert(0, {str(REPO_ROOT)!r}); from course_tools.torch_install "
                           f"import main; sys.exit(main(['--version', '{V}', '--dry-run']))"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    said, command = done.stdout.splitlines()
    assert re.match(rf"torch {V} from (local|cpu|cuda|pypi): ", said) and "TORCH_INDEX=" in said
    assert command.startswith("would run: ") and "uv pip install" in command


def test_the_makefile_installs_torch_through_it_with_the_override():
    makefile = (REPO_ROOT / "Makefile").read_text()
    assert "TORCH_INDEX ?= auto" in makefile
    assert "$(PY) -m course_tools.torch_install --version $(TORCH) --index $(TORCH_INDEX)" in makefile
    assert "pip install -q torch" not in makefile
    assert re.search(r"^PYTHON\s*\?=", makefile, re.M), "make test PYTHON=python3.12 ... must be able to choose"
