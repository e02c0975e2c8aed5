"""The course's shared helpers, one concern per module. Each function's docstring names the chapters that use it.

In the order the chapters meet them:

- ``helpers.environment``: ``setup_chapter()``, device and profile choice (every chapter)
- ``helpers.network``, ``helpers.hub``: is the Hub there; online ids or offline stand-ins for models,
  datasets and metrics (every chapter)
- ``helpers.kit``: where the offline kit's stand-ins are on this machine (``course_tools.kit`` builds them)
- ``helpers.llm_api``, ``helpers.local_server``: the OpenAI client, keys, costs, the local stand-in (Chapters 1, 5)
- ``helpers.fine_tuning``: fine-tuning pieces and ``quick_fine_tune`` (Chapters 3, 5)
- ``helpers.gpt``, ``helpers.gpt_data``, ``helpers.training``: Chapter 4's GPT, its data, and the training
  loop (Chapters 3, 4, 5), with its optimizers in ``helpers.optimizers``
- ``helpers.recipes``: every profile's sizes, written once (Chapters 3, 4, 5)
- ``helpers.yardstick``, ``helpers.scratch_classifier``, ``helpers.pretraining``: Chapter 5's measurements,
  its classifier trained from scratch, and approach 4 (your own GPT pre-trained, then fine-tuned);
  ``helpers.comparison`` lays its results out (tables, plots, sentences)
- ``helpers.results``: records measured results for Chapter 5's comparison
- ``helpers.checks``: the exercises' checks, one module per chapter
- smaller pieces: ``helpers.paths`` (where files go), ``helpers.progress`` (progress bars, the live loss plot),
  ``helpers.diagrams`` (Chapter 4's diagrams), ``helpers/metrics/`` (accuracy and F1 for ``evaluate``)

The course's machinery, which learners need not read, is ``course_tools``: ``course_tools.harness`` runs the
notebooks (``make course``, ``make test``), ``course_tools.readme_table`` copies Chapter 5's table into docs/results.md.
"""

from helpers.environment import setup_chapter
from helpers.hub import load_metric, load_reviews, resolve_dataset, resolve_model
from helpers.results import record_result

__all__ = ["setup_chapter", "resolve_model", "resolve_dataset", "load_reviews", "load_metric", "record_result"]
