"""Install the torch build that fits this machine, and say in one line which and why.

``make setup`` runs it with the new environment's Python before anything else is installed there
(so it uses the standard library only), then installs the lock:

    python -m course_tools.torch_install --version 2.13.0            # decide, print, install
    python -m course_tools.torch_install --version 2.13.0 --dry-run  # decide and print only

A bare ``pip install torch`` on Linux downloads PyPI's CUDA build (about 2.5 GB with its nvidia-*
packages) even on a laptop with no GPU. So, with uv (the Makefile's pinned installer) and
PyTorch's own package indexes:

- a CPU torch wheel of this version already on disk, where pip is told to look (its find-links,
  e.g. a classroom machine prepared offline): that wheel, no download;
- Linux or Windows with an NVIDIA driver: a CUDA build from PyTorch's index, the CUDA version
  picked by uv for that driver (``--torch-backend=auto``);
- Linux or Windows without one: the CPU build from PyTorch's CPU index (about 200 MB);
- macOS: PyPI's own build (on Apple silicon it runs on the GPU through MPS).

``TORCH_INDEX`` (or ``--index``) overrides the decision: ``pypi`` (PyPI's default build: on Linux
the CUDA one, which also runs on a CPU), ``cpu``, ``cuda``, ``local``, or any uv backend name
(``cu128``, ``rocm6.4``, ``xpu``). A torch already installed in the environment is kept.
"""

from __future__ import annotations

import argparse
import glob
import importlib.util
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

CPU_INDEX = "https://download.pytorch.org/whl/cpu"
CHOICES = "auto|pypi|cpu|cuda|local|cu128|rocm6.4|xpu|..."
UV_BACKEND = re.compile(r"(cu\d+|rocm[\d.]+|xpu)")
DRIVER_FILES = ("/sys/module/nvidia/version", "/proc/driver/nvidia/version")  # where a loaded driver says its version


@dataclass(frozen=True)
class Machine:
    """What the decision depends on; ``detect()`` reads it from this machine, tests make it up."""
    system: str                   # platform.system(): Linux, Darwin, Windows
    arch: str                     # platform.machine(): x86_64, arm64, aarch64, AMD64
    nvidia_driver: str | None     # the NVIDIA driver's version, None when there is none
    local_wheel: Path | None      # a CPU wheel of the wanted torch for this Python, on disk


@dataclass(frozen=True)
class Choice:
    index: str        # local, cpu, cuda, pypi, or the uv backend asked for
    args: list[str]   # what to install and from where, after `uv pip install`
    why: str


def choose(machine: Machine, version: str, requested: str = "auto") -> Choice:
    """The torch build for ``machine``: no network, no probing (``detect()`` does that)."""
    requested = (requested or "auto").strip().lower()
    pin = f"torch=={version}"
    where = f"{machine.system} {machine.arch}"
    if requested == "auto":
        if machine.system == "Darwin":
            return Choice("pypi", [pin], f"macOS ({machine.arch}): PyPI's build is the one for Macs"
                          + (" (Apple silicon: MPS)" if machine.arch == "arm64" else
                             "; PyTorch builds no recent torch for Intel Macs, so this may find none"))
        if machine.nvidia_driver:
            return Choice("cuda", [pin, "--torch-backend=auto"],
                          f"{where} with NVIDIA driver {machine.nvidia_driver}: a CUDA build from PyTorch's "
                          "index, its CUDA version picked by uv for that driver")
        if machine.local_wheel:
            return Choice("local", [str(machine.local_wheel)],
                          f"{where}, no NVIDIA GPU: the CPU build, from the wheel already on this machine "
                          f"({machine.local_wheel}, in pip's find-links): no download")
        return Choice("cpu", [pin, "--torch-backend=cpu"],
                      f"{where}, no NVIDIA GPU: the CPU build from PyTorch's CPU index ({CPU_INDEX}), "
                      "about 200 MB instead of PyPI's CUDA build")
    said = f"TORCH_INDEX={requested}"
    if requested == "pypi":
        return Choice("pypi", [pin], f"{said}: PyPI's default build for {where} "
                      "(on Linux a CUDA build with its nvidia-* packages, about 2.5 GB; it runs on a CPU too)")
    if requested == "cpu":
        return Choice("cpu", [pin, "--torch-backend=cpu"], f"{said}: the CPU build from {CPU_INDEX}")
    if requested == "cuda":
        return Choice("cuda", [pin, "--torch-backend=auto"],
                      f"{said}: from PyTorch's indexes, the build uv picks for this machine's driver")
    if requested == "local":
        if not machine.local_wheel:
            raise ValueError(f"{said}: no torch-{version}+cpu wheel for this Python in pip's find-links")
        return Choice("local", [str(machine.local_wheel)], f"{said}: {machine.local_wheel}")
    if UV_BACKEND.fullmatch(requested):
        return Choice(requested, [pin, f"--torch-backend={requested}"], f"{said}: PyTorch's {requested} index")
    raise ValueError(f"TORCH_INDEX={requested!r}: not one of {CHOICES}")


def nvidia_driver() -> str | None:
    """The loaded NVIDIA driver's version (as uv reads it), or None: no driver, or one that answers nothing."""
    for path in DRIVER_FILES:
        try:
            found = re.search(r"\b(\d+\.\d+(?:\.\d+)?)\b", Path(path).read_text())
        except OSError:
            continue
        if found:
            return found.group(1)
    smi = shutil.which("nvidia-smi") or next(
        (p for p in ("/usr/lib/wsl/lib/nvidia-smi",) if os.access(p, os.X_OK)), None)  # WSL keeps it there
    if smi:
        try:
            out = subprocess.run([smi, "--query-gpu=driver_version", "--format=csv,noheader"],
                                 capture_output=True, text=True, timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            return None
        found = re.search(r"\d+\.\d+(?:\.\d+)?", out.stdout)
        if out.returncode == 0 and found:
            return found.group(0)
    return None


def find_links() -> list[Path]:
    """The local folders pip is told to look in for wheels: PIP_FIND_LINKS, UV_FIND_LINKS and pip's
    configuration files (read through ``pip config list``, when this Python has pip)."""
    values = [os.environ.get("PIP_FIND_LINKS", ""), os.environ.get("UV_FIND_LINKS", "")]
    if importlib.util.find_spec("pip"):
        try:
            listed = subprocess.run([sys.executable, "-m", "pip", "config", "list"], capture_output=True,
                                    text=True, timeout=60).stdout
        except (OSError, subprocess.TimeoutExpired):
            listed = ""
        values += re.findall(r"^\S*find-links='([^']*)'", listed, re.M)
    folders = []
    for value in values:
        for item in value.replace(",", " ").split():
            folder = Path(item.removeprefix("file://"))
            if folder.is_dir() and folder not in folders:
                folders.append(folder)
    return folders


def wheel_fits(name: str, version: str, python: tuple[int, int], system: str, arch: str) -> bool:
    """Whether ``name`` is torch ``version``'s CPU wheel for this CPython, OS and processor."""
    parts = name.removesuffix(".whl").split("-")
    if len(parts) != 5 or parts[0] != "torch" or parts[1] != f"{version}+cpu":
        return False
    python_tag, _, platform_tag = parts[2:]
    if python_tag != f"cp{python[0]}{python[1]}":
        return False
    if system == "Linux":
        return platform_tag.startswith(("manylinux", "linux")) and platform_tag.endswith(f"_{arch}")
    if system == "Windows":
        return platform_tag == {"AMD64": "win_amd64", "ARM64": "win_arm64"}.get(arch)
    return False


def local_cpu_wheel(version: str, system: str | None = None, arch: str | None = None,
                    python: tuple[int, int] | None = None, folders: list[Path] | None = None) -> Path | None:
    """torch ``version``'s CPU wheel for this machine (or the one named), in pip's find-links, or None."""
    system, arch = system or platform.system(), arch or platform.machine()
    for folder in find_links() if folders is None else folders:
        for path in sorted(glob.glob(str(folder / f"torch-{version}+cpu-*.whl"))):
            if wheel_fits(Path(path).name, version, python or sys.version_info[:2], system, arch):
                return Path(path)
    return None


def detect(version: str) -> Machine:
    system, arch = platform.system(), platform.machine()
    return Machine(system, arch, nvidia_driver() if system != "Darwin" else None,
                   local_cpu_wheel(version, system, arch) if system != "Darwin" else None)


def installed_torch() -> str | None:
    try:
        return metadata.version("torch")
    except metadata.PackageNotFoundError:
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", required=True, help="torch's version, e.g. 2.13.0 (the Makefile's TORCH)")
    parser.add_argument("--index", default=os.environ.get("TORCH_INDEX") or "auto", help=CHOICES)
    parser.add_argument("--dry-run", action="store_true", help="print the decision, install nothing")
    args = parser.parse_args(argv)
    have = installed_torch()
    if have and not args.dry_run:
        print(f"torch {have} is already in {sys.prefix}: kept (the choice applies to a new environment; "
              "uninstall torch, or remove the environment, to choose again)")
        return 0
    try:
        choice = choose(detect(args.version), args.version, args.index)
    except ValueError as error:
        print(f"torch: {error}", file=sys.stderr)
        return 2
    command = [sys.executable, "-m", "uv", "pip", "install", "--python", sys.executable, *choice.args]
    print(f"torch {args.version} from {choice.index}: {choice.why} (TORCH_INDEX={CHOICES} to choose)", flush=True)
    if args.dry_run:
        print("would run: " + shlex.join(command))
        return 0
    if not importlib.util.find_spec("uv"):
        print(f"torch: uv is not installed in {sys.prefix}: `{sys.executable} -m pip install uv` first "
              "(make setup does)", file=sys.stderr)
        return 2
    done = subprocess.run(command).returncode
    if done and choice.index not in ("local", "pypi"):
        print(f"torch: PyTorch's index could not give torch {args.version} (unreachable from here?). "
              "TORCH_INDEX=pypi installs PyPI's build instead (on Linux the CUDA one, about 2.5 GB; it runs "
              "on a CPU too); or put a torch CPU wheel in a folder pip's find-links names.", file=sys.stderr)
    return done


if __name__ == "__main__":
    sys.exit(main())
