"""A local Hugging Face Hub for the tests: the offline kit served under the real repo ids.

The chapters' online path (``HUB_MODE = "online"``: ``from_pretrained("distilbert-base-uncased")``,
``load_dataset("stanfordnlp/imdb")``) cannot reach huggingface.co from the machines that test
the course. huggingface_hub, transformers and datasets all honour ``HF_ENDPOINT`` (learners
behind a regional mirror set the same variable), so the tests point it at ``olah``, a maintained
self-hosted Hub mirror, serving git repositories built here from the kit:

    models/distilbert-base-uncased-finetuned-sst-2-english   <- kit: sentiment-minilm-rt
    models/distilbert-base-uncased                           <- kit: minilm-l6-v2
    models/sentence-transformers/all-MiniLM-L6-v2            <- kit: minilm-l6-v2
    models/HuggingFaceTB/SmolLM2-135M-Instruct               <- kit: smollm2-135m-instruct
    datasets/stanfordnlp/imdb                                <- kit: rotten-tomatoes, in the Hub's parquet layout

For the tests only: the files are the stand-ins, under the names of the real repos, so that the
code path is the online one. Nothing here is used by a learner.

    python -m course_tools.hub_mirror build          # (re)build the git repositories
    python -m course_tools.hub_mirror serve          # build if needed, then serve until Ctrl-C
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from helpers.kit import asset_path, read_manifest
from helpers.paths import REPO_ROOT

MIRROR_DIR = REPO_ROOT / "build" / "hub-mirror"
OLAH_VENV = REPO_ROOT / ".venv-olah"
OLAH_PIN = "olah==0.5.4"
OLAH_SERVER = Path(__file__).with_name("olah_server.py")

MODEL_REPOS = {
    "distilbert-base-uncased-finetuned-sst-2-english": "sentiment-minilm-rt",
    "distilbert-base-uncased": "minilm-l6-v2",
    "sentence-transformers/all-MiniLM-L6-v2": "minilm-l6-v2",
    "HuggingFaceTB/SmolLM2-135M-Instruct": "smollm2-135m-instruct",
}
DATASET_REPOS = {"stanfordnlp/imdb": "rotten-tomatoes"}

# The dataset card's YAML header is how the Hub (and `load_dataset`) find a parquet repo's splits.
DATASET_CARD = """---
configs:
- config_name: plain_text
  default: true
  data_files:
  - split: train
    path: plain_text/train-00000-of-00001.parquet
  - split: test
    path: plain_text/test-00000-of-00001.parquet
  - split: unsupervised
    path: plain_text/unsupervised-00000-of-00001.parquet
---
Test mirror: the course's offline Rotten Tomatoes reviews under IMDb's repo id (columns text, label).
"""


def _git(git_dir: Path, work_tree: Path, *args: str) -> None:
    # Compression off: the 541 MB chat model would otherwise spend ~20 s in zlib for nothing.
    subprocess.run(["git", "-c", "core.compression=0", "-c", "user.name=course-tests",
                    "-c", "user.email=tests@localhost", f"--git-dir={git_dir}", f"--work-tree={work_tree}", *args],
                   check=True, stdout=subprocess.DEVNULL)


def _commit_folder(repo_dir: Path, files: Path) -> None:
    """A bare git repository at ``repo_dir`` whose ``main`` holds the files of ``files``."""
    shutil.rmtree(repo_dir, ignore_errors=True)
    repo_dir.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(repo_dir)], check=True)
    _git(repo_dir, files, "add", "-A", ".")
    _git(repo_dir, files, "commit", "-q", "-m", "mirror of the course's offline kit")


def _dataset_folder(stand_in: str, out: Path) -> Path:
    import pandas as pd

    (out / "plain_text").mkdir(parents=True, exist_ok=True)
    for split in ("train", "test"):
        frame = pd.read_csv(asset_path(stand_in) / f"{split}.csv")[["text", "label"]]
        frame.to_parquet(out / "plain_text" / f"{split}-00000-of-00001.parquet", index=False)
    # IMDb's unlabelled split: here the training split's text with its labels dropped (-1, as IMDb's).
    unlabelled = pd.read_csv(asset_path(stand_in) / "train.csv")[["text"]].assign(label=-1)
    unlabelled.to_parquet(out / "plain_text" / "unsupervised-00000-of-00001.parquet", index=False)
    (out / "README.md").write_text(DATASET_CARD)
    return out


def _fingerprint() -> str:
    """Changes when the kit (or this module's repo list) changes: the mirror is then rebuilt."""
    manifest = read_manifest()
    blob = json.dumps([MODEL_REPOS, DATASET_REPOS, DATASET_CARD, manifest.get("assets", manifest)], sort_keys=True,
                      default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def build(force: bool = False, mirror_dir: Path = MIRROR_DIR) -> Path:
    """Build (or reuse) the mirror's git repositories under ``mirror_dir/mirrors``."""
    from filelock import FileLock  # huggingface_hub's own dependency

    mirror_dir.mkdir(parents=True, exist_ok=True)
    # Two test workers may start a mirror at the same moment: one builds, the other waits, then reuses.
    with FileLock(mirror_dir / "build.lock"):
        return _build(force, mirror_dir)


def _build(force: bool, mirror_dir: Path) -> Path:
    stamp = mirror_dir / "built-from.txt"
    if not force and stamp.exists() and stamp.read_text() == _fingerprint():
        return mirror_dir / "mirrors"
    started = time.perf_counter()
    mirrors = mirror_dir / "mirrors"
    shutil.rmtree(mirrors, ignore_errors=True)
    for repo_id, stand_in in MODEL_REPOS.items():
        _commit_folder(mirrors / "models" / repo_id, asset_path(stand_in))
    for repo_id, stand_in in DATASET_REPOS.items():
        work = _dataset_folder(stand_in, mirror_dir / "work" / repo_id)
        _commit_folder(mirrors / "datasets" / repo_id, work)
    stamp.write_text(_fingerprint())
    print(f"[hub-mirror] built {len(MODEL_REPOS)} model and {len(DATASET_REPOS)} dataset repos "
          f"in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return mirrors


def olah_python() -> Path:
    """olah's own virtual environment (``make test`` creates it; created here on first use otherwise)."""
    python = OLAH_VENV / "bin" / "python"
    if not (OLAH_VENV / ".installed").exists():
        subprocess.run([sys.executable, "-m", "venv", str(OLAH_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", OLAH_PIN], check=True)
        (OLAH_VENV / ".installed").write_text(OLAH_PIN)
    return python


class HubMirror:
    """The olah server on 127.0.0.1; ``endpoint`` is what ``HF_ENDPOINT`` must be set to."""

    def __init__(self, port: int, mirror_dir: Path = MIRROR_DIR):
        self.port, self.mirror_dir = port, mirror_dir
        self.process: subprocess.Popen | None = None
        # Each server its own config, log and olah cache: several may serve the same repositories at once.
        self.state_dir = mirror_dir / "servers" / str(port)
        self.log_path = self.state_dir / "olah.log"

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> "HubMirror":
        mirrors = build(mirror_dir=self.mirror_dir)
        shutil.rmtree(self.state_dir, ignore_errors=True)
        self.state_dir.mkdir(parents=True)
        config = self.state_dir / "olah.toml"
        config.write_text(
            "[basic]\n"
            f'host = "127.0.0.1"\nport = {self.port}\n'
            f'repos-path = "{self.state_dir / "cache"}"\n'
            f'mirrors-path = ["{mirrors}"]\n'
            f'mirror-netloc = "127.0.0.1:{self.port}"\nmirror-lfs-netloc = "127.0.0.1:{self.port}"\n'
            "[accessibility]\noffline = true\n")
        log = open(self.log_path, "w")
        self.process = subprocess.Popen([str(olah_python()), str(OLAH_SERVER), "--config", str(config),
                                         "--port", str(self.port)], stdout=log, stderr=subprocess.STDOUT,
                                        cwd=self.state_dir, start_new_session=True)
        started = time.perf_counter()
        while True:
            try:
                with urllib.request.urlopen(f"{self.endpoint}/api/models/distilbert-base-uncased/revision/main",
                                            timeout=2) as reply:
                    if reply.status == 200:
                        return self
            except OSError:
                pass
            if self.process.poll() is not None or time.perf_counter() - started > timeout:
                self.stop()
                raise RuntimeError(f"the Hub mirror did not start; its log:\n{self.log_path.read_text()[-3000:]}")
            time.sleep(0.3)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None

    def __enter__(self) -> "HubMirror":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
        shutil.rmtree(self.state_dir, ignore_errors=True)  # its config, log and cache: this run's only


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_tools.hub_mirror", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["build", "serve"])
    parser.add_argument("--port", type=int, default=8090)
    args = parser.parse_args(argv)
    if args.command == "build":
        print(build(force=True))
        return 0
    with HubMirror(args.port) as mirror:
        print(f"HF_ENDPOINT={mirror.endpoint}  (Ctrl-C stops it)")
        try:
            mirror.process.wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
