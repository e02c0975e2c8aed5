"""``make doctor``: what is wrong with this machine for the course, and what to do about it.

Run it when a chapter fails in a way the chapter does not explain::

    make doctor            # or: python -m course_tools.doctor

Each line is a check, ``[OK]`` or ``[!!]`` (a problem, with what to do) or ``[--]`` (worth knowing,
nothing to fix): Python and the libraries against requirements.txt and the tested versions, the device, free disk for the
offline kit and the checkpoints, whether the kit is built, whether the Hugging Face Hub (or
``HF_ENDPOINT``) answers, and whether an OpenAI key and the API endpoint (or ``OPENAI_BASE_URL``)
are there. Exits 1 when a problem would stop a chapter.
"""

from __future__ import annotations

import platform
import shutil
import sys
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from course_tools.lockfile import LOCK, tested_versions
from course_tools.python_check import oldest_python
from helpers.paths import REPO_ROOT, kit_dir

TESTED_PYTHON = (3, 11)
KIT_BYTES = 800 * 2**20            # the built kit, measured: about 760 MB
CHECKPOINT_BYTES = 1 * 2**30       # results/ after Chapter 3's cpu profile: about 1 GB, mostly checkpoints


@dataclass
class Check:
    name: str
    ok: bool | None          # True fine, False a problem, None only information
    said: str
    fix: str = ""

    def line(self) -> str:
        mark = {True: "[OK]", False: "[!!]", None: "[--]"}[self.ok]
        return f"{mark} {self.name}: {self.said}" + (f"\n       what to do: {self.fix}" if self.fix else "")


def check_python(found: tuple[int, int] | None = None) -> Check:
    shown = ".".join(map(str, found)) if found else platform.python_version()
    found = found or sys.version_info[:2]
    oldest = oldest_python()
    if found < oldest:
        return Check("python", False, f"{shown} is too old (the course needs {oldest[0]}.{oldest[1]} or newer)",
                     f"install Python {oldest[0]}.{oldest[1]} or newer (Colab has 3.12), then `make setup` again "
                     "(`make setup PYTHON=python3.12` picks one)")
    note = "" if found == TESTED_PYTHON else (f" (every change is tested with {TESTED_PYTHON[0]}.{TESTED_PYTHON[1]}; "
                                              "docs/versions.md says what ran on others)")
    return Check("python", True, shown + note)


def check_requirements(requirements: Path = REPO_ROOT / "requirements.txt", lock: Path = LOCK) -> list[Check]:
    """Each line of requirements.txt against what is installed, and against the version tested
    (requirements.lock; torch is tested at the Makefile's TORCH, which the lock names too)."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
    from packaging.version import Version

    tested = tested_versions(lock, also=("torch",))
    checks = []
    for line in requirements.read_text().splitlines():
        line = line.split("#")[0].strip()
        if not line:
            continue
        wanted = Requirement(line)
        try:
            found = version(wanted.name)
        except PackageNotFoundError:
            checks.append(Check(wanted.name, False, "not installed", f'pip install "{line}" (or `make setup`)'))
            continue
        if wanted.specifier and not wanted.specifier.contains(found, prereleases=True):
            checks.append(Check(wanted.name, False, f"{found} installed, the course needs {wanted.specifier}",
                                f'pip install "{line}"' + (" (torch: pick the build for your machine, "
                                                           "https://pytorch.org/get-started/locally/)"
                                                           if wanted.name == "torch" else "")))
        else:
            tested_version = tested.get(canonicalize_name(wanted.name))
            same = tested_version is None or Version(tested_version).public == Version(found).public  # 2.13.0+cpu is 2.13.0
            note = "" if same else f" (the course was tested with {tested_version}: `make setup` installs it)"
            checks.append(Check(wanted.name, True, found + note))
    return checks


def check_device() -> Check:
    from helpers.environment import describe_device, gpu_advice, pick_device

    device = pick_device()
    if device == "cpu":
        return Check("device", None, describe_device(device) + "; every chapter runs on a CPU, the gpu profile is slow",
                     gpu_advice())
    return Check("device", True, describe_device(device))


def check_disk(folder: Path = REPO_ROOT, needed: int = KIT_BYTES + CHECKPOINT_BYTES) -> Check:
    free = shutil.disk_usage(folder).free
    said = f"{free / 2**30:.1f} GiB free where the course writes (kit ~0.8 GB, checkpoints ~1 GB)"
    if free < needed:
        return Check("disk", False, said, "free some space, or move the kit and results with COURSE_KIT_DIR and "
                     "COURSE_RESULTS_DIR to a disk that has it; `make clean` deletes old results")
    return Check("disk", True, said)


def check_kit() -> Check:
    from helpers.kit import is_built, read_manifest

    manifest = read_manifest()
    built = [name for name in manifest["assets"] if is_built(name, manifest)]
    if not built:
        return Check("offline kit", None, f"not built at {kit_dir()}",
                     "only needed offline (and Chapter 4 builds its corpus itself): `make kit`, or copy a built "
                     "kit folder and set COURSE_KIT_DIR")
    return Check("offline kit", True, f"{len(built)} assets built ({', '.join(sorted(built))})")


def check_hub() -> Check:
    from helpers.network import hub_endpoint, hub_reachable

    if hub_reachable():
        return Check("Hugging Face Hub", True, f"{hub_endpoint()} answers: chapters use the real models")
    return Check("Hugging Face Hub", None, f"{hub_endpoint()} does not answer: chapters use the offline kit",
                 "fine offline; to go online check the network, a proxy, or HF_ENDPOINT")


def check_api() -> Check:
    from helpers.llm_api import api_base_url, is_openai, resolve_api_key, server_name
    from helpers.network import url_reachable

    base_url, key = api_base_url(), resolve_api_key(interactive=False)
    where = "OpenAI's API" if is_openai(base_url) else f"{server_name(base_url)} (OPENAI_BASE_URL)"
    if key is None and is_openai(base_url):
        return Check("OpenAI API", None, "no key found: Chapter 1 uses the local stand-in",
                     "to call OpenAI, set OPENAI_API_KEY (environment, a .env file, or a Colab secret)")
    if not url_reachable(base_url):
        return Check("OpenAI API", False, f"{where} does not answer",
                     "check the network, or OPENAI_BASE_URL; without it, unset the key to use the local stand-in")
    return Check("OpenAI API", True, f"{where} answers" + (f"; key from {key.source}" if key else "; no key needed"))


def run_checks() -> list[Check]:
    return [check_python(), *check_requirements(), check_device(), check_disk(), check_kit(), check_hub(),
            check_api()]


def main(argv: list[str] | None = None) -> int:
    checks = run_checks()
    for check in checks:
        print(check.line())
    problems = [c for c in checks if c.ok is False]
    print(f"\n{len(problems)} problem(s)." if problems else "\nNothing stops the course on this machine.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
