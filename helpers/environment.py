"""``setup_chapter()``: the first code cell of every chapter calls it.

It decides, once and out loud, everything a run depends on: which device
(CUDA GPU, Apple MPS, or CPU), which profile (how big a run), whether the
Hugging Face Hub is reachable (else the offline stand-ins), the random seed,
how many CPU threads to use, and which library versions are in play.
"""

from __future__ import annotations

import os
import platform
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from helpers.hub import HubMode, decide_hub_mode, set_hub_mode

if TYPE_CHECKING:
    import torch

PROFILES = ("smoke", "cpu", "gpu")
LIBRARIES = ("torch", "transformers", "datasets", "evaluate", "accelerate")


def in_colab() -> bool:
    """True inside Google Colab."""
    return "google.colab" in sys.modules or "COLAB_RELEASE_TAG" in os.environ


def in_binder() -> bool:
    """True on mybinder.org (repo2docker sets BINDER_* variables there)."""
    return any(name.startswith("BINDER_") for name in os.environ)


def available_cpus(quota_file: Path = Path("/sys/fs/cgroup/cpu.max")) -> int:
    """CPU cores this process may really use.

    ``os.cpu_count()`` reports the host's cores, but containers (Binder, CI, Docker)
    are often capped at one or two by a cgroup quota; torch would then start far
    too many threads and run slower, so read the quota where there is one
    (cgroup v2's ``cpu.max``: "<quota> <period>", or "max <period>" for no cap).
    """
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    try:
        quota, period = quota_file.read_text().split()
        if quota != "max":
            cpus = min(cpus, max(1, int(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return max(1, cpus)


def torch_threads() -> int:
    """How many threads torch computes with on the CPU (``setup_chapter``, every chapter).

    ``OMP_NUM_THREADS`` when it is set: whoever runs several jobs side by side (``make test``'s two
    workers, a class sharing one server) gives each job its share, and two jobs of two threads each on
    two cores spend their time waiting on each other. Else every core this process may use.
    """
    try:
        return max(1, int(os.environ["OMP_NUM_THREADS"]))
    except (KeyError, ValueError):
        return available_cpus()


def pick_device() -> str:
    """The best device torch can use here: ``"cuda"``, then ``"mps"``, then ``"cpu"``."""
    import torch

    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps"
    return "cpu"


def describe_device(device: str) -> str:
    """A short, human description of ``device`` (its name and memory on a GPU)."""
    import torch

    if device == "cuda":
        props = torch.cuda.get_device_properties(0)
        return f"cuda ({props.name}, {props.total_memory / 2**30:.0f} GiB)"
    if device == "mps":
        return "mps (Apple GPU)"
    threads = torch.get_num_threads()
    return f"cpu ({threads} thread{'' if threads == 1 else 's'}; no CUDA or Apple MPS GPU found)"


# Below this much memory, ``auto`` picks the smoke profile: Binder gives 1-2 GiB, and the cpu profile's
# chapters hold a model or two (Chapter 1 runs the 135M chat model in the kernel and in its local
# server) on top of Jupyter, torch (about 280 MB per process) and the data.
SMALL_MACHINE_BYTES = 4 * 2**30


def available_memory_bytes(cgroup_files: tuple[Path, ...] = (Path("/sys/fs/cgroup/memory.max"),
                                                           Path("/sys/fs/cgroup/memory/memory.limit_in_bytes"))
                           ) -> int | None:
    """Memory this process may really use, in bytes (None where it cannot be read, e.g. Windows).

    Like ``available_cpus``: a container (Binder, CI, Docker) is capped by its cgroup, cgroup v2's
    ``memory.max`` or v1's ``memory.limit_in_bytes``, while the machine's own RAM may be far larger.
    """
    try:
        physical = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        physical = None
    limits = [physical] if physical else []
    for path in cgroup_files:
        try:
            limits.append(int(path.read_text().strip()))  # "max" (no cap) is not a number: skipped
        except (OSError, ValueError):
            pass
    return min(limits) if limits else None


def pick_profile(requested: str, device: str, memory_bytes: int | None = None) -> str:
    """``"auto"`` becomes ``"gpu"`` on a CUDA GPU, ``"smoke"`` on a machine with under 4 GiB of
    memory (a Binder session), and ``"cpu"`` elsewhere; the others pass through.

    The one rule for every way the course runs: ``setup_chapter`` (Jupyter, Colab, Binder) calls it,
    and through ``resolve_profile`` so do ``make course`` (the harness) and ``scripts/train_gpt.py``
    (``make train-gpt``); the Makefile passes ``auto`` on as it is.
    """
    requested = (requested or "auto").lower()
    if requested == "auto":
        if device == "cuda":
            return "gpu"
        return "smoke" if memory_bytes is not None and memory_bytes < SMALL_MACHINE_BYTES else "cpu"
    if requested not in PROFILES:
        raise ValueError(f"PROFILE must be 'auto' or one of {PROFILES}, not {requested!r}.")
    return requested


def resolve_profile(requested: str, device: str | None = None) -> str:
    """``pick_profile`` for this machine: its device (or ``device``, when the run is told which) and its memory."""
    return pick_profile(requested, device or pick_device(), available_memory_bytes())


def mixed_precision_dtype(device: str) -> "torch.dtype | None":
    """The dtype to train in with autocast on ``device`` (Chapters 3 and 4), or None for float32.

    bfloat16 where the GPU computes in it natively (NVIDIA from Ampere on, compute capability 8.0;
    AMD's ROCm GPUs); float16, with a gradient scaler against underflow, on older NVIDIA GPUs such as
    Colab's free T4 (7.5), where ``torch.cuda.is_bf16_supported()`` answers True only because bf16
    can be *emulated*, several times slower; float32 on CPUs and Apple GPUs.
    """
    import torch

    if torch.device(device).type != "cuda":
        return None
    return torch.bfloat16 if torch.cuda.is_bf16_supported(including_emulation=False) else torch.float16


def describe_memory(memory_bytes: int | None) -> str:
    """", 24 GiB of memory" for the banner; empty where the memory is unknown."""
    return "" if memory_bytes is None else f", {memory_bytes / 2**30:.0f} GiB of memory"


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch (CPU and every GPU) so runs repeat: what ``transformers.set_seed``
    does, written out because importing it costs every chapter about 6 s (its module imports ``peft``
    and Trainer's machinery)."""
    import random

    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # the CPU and every GPU


def quiet_library_logs() -> None:
    """Keep errors and progress bars; drop the info chatter and known-harmless warnings."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")  # avoids a fork warning per DataLoader
    # datasets reads these two when it is first imported ("Generating train split" bars: noise in every
    # executed copy); importing it here just to silence it would cost chapters that never use it ~2.5 s.
    os.environ.setdefault("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("DATASETS_VERBOSITY", "error")
    if "datasets" in sys.modules:  # already imported (setup_chapter run twice, or by the learner): tell it directly
        sys.modules["datasets"].logging.set_verbosity_error()
        sys.modules["datasets"].disable_progress_bars()
    import transformers

    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()  # "Loading weights" and download bars (Trainer keeps its own)
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", message=".*does not have many workers.*")


def gpu_advice() -> str:
    """Concrete steps to get a GPU, for where the learner is."""
    if in_colab():
        return "In Colab: Runtime > Change runtime type > T4 GPU > Save, then Runtime > Run all."
    if in_binder():
        return ("Binder machines have no GPU and 1-2 GB of memory. Keep PROFILE = 'smoke' here, or open the "
                "chapter in Colab (the button in README.md) for a free GPU.")
    return ("No GPU found. With an NVIDIA GPU, install the CUDA build of torch "
            "(https://pytorch.org/get-started/locally/); otherwise use Colab's free GPU, "
            "or keep PROFILE = 'cpu' (smaller, slower, same code).")


@dataclass
class Chapter:
    """What ``setup_chapter`` decided; notebooks read ``chapter.device`` and ``chapter.profile``."""

    title: str
    device: str
    profile: str
    hub: HubMode
    seed: int
    platform: str
    versions: dict = field(default_factory=dict)


def library_versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def setup_chapter(title: str, profile: str = "auto", hub_mode: str = "auto", seed: int = 0,
                  wants_gpu: bool = False, uses_hub_models: bool = True) -> Chapter:
    """Prepare a chapter and print what was decided (every chapter's first code cell).

    ``profile``: "auto", "smoke", "cpu" or "gpu" (the notebook's PROFILE parameter).
    ``hub_mode``: "auto", "online" or "offline" (the notebook's HUB_MODE parameter).
    ``wants_gpu``: chapters that train say so, and get concrete advice when there is none.
    ``uses_hub_models``: False where a chapter loads no Hub model or dataset (Chapter 4), so that offline
    the banner does not promise stand-ins the chapter never uses.
    """
    # Decide online/offline before transformers is imported, so HF_HUB_OFFLINE takes effect.
    hub = decide_hub_mode(hub_mode)
    set_hub_mode(hub)
    quiet_library_logs()

    import torch

    torch.set_num_threads(torch_threads())
    device = pick_device()
    memory = available_memory_bytes()
    chosen_profile = pick_profile(profile, device, memory)
    seed_everything(seed)
    where = "Google Colab" if in_colab() else "Binder" if in_binder() else "a local machine"
    chapter = Chapter(title, device, chosen_profile, hub, seed, where, library_versions())

    print(f"{title}\n"
          f"  device  : {describe_device(device)}\n"
          f"  profile : {chosen_profile}" + (f"  (chosen from the hardware{describe_memory(memory)})"
                                            if profile == "auto" else "") + "\n"
          f"  hub     : {hub.name}, because {hub.reason}" + ("" if hub.online else "; using offline-kit stand-ins"
                                                             if uses_hub_models else "; this chapter needs no Hub models") + "\n"
          f"  running : {where}, seed {seed}\n"
          "  versions: " + ", ".join(f"{k} {v}" for k, v in chapter.versions.items()))
    if profile == "auto" and chosen_profile == "smoke":
        print(f"\nThis machine has under {SMALL_MACHINE_BYTES // 2**30} GiB of memory, so the chapter runs its smallest "
              "profile, 'smoke', which fits. Set PROFILE = 'cpu' in the parameters cell for the laptop-size run.")
    if wants_gpu and device == "cpu":
        print(f"\nThis chapter runs best on a GPU. {gpu_advice()}")
    if chosen_profile == "gpu" and device != "cuda":
        print(f"\nPROFILE = 'gpu' without a CUDA GPU will be very slow. {gpu_advice()}")
    return chapter
