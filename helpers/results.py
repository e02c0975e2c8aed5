"""Chapters record what they measured here; Chapter 5 reads it back to compare approaches.

One JSON object per line in ``results/results.jsonl`` (git-ignored; ``COURSE_RESULTS_DIR``
moves it). A record says what was run (chapter, approach, task, data, model), where
(profile, device, hub mode) and what came out (accuracy, latency, cost, time).
"""

from __future__ import annotations

import json
import math
from datetime import datetime, timezone

from helpers.paths import results_dir

REQUIRED = ("chapter", "approach", "task", "data", "model", "profile", "device")
MEASURES = ("accuracy", "n_examples", "latency_ms", "cost_usd", "train_seconds", "total_seconds")


def results_file():
    return results_dir() / "results.jsonl"


def record_result(chapter: str, approach: str, task: str, data: str, model: str, profile: str,
                  device: str, accuracy: float | None = None, n_examples: int | None = None,
                  latency_ms: float | None = None, cost_usd: float | None = None,
                  train_seconds: float | None = None, total_seconds: float | None = None,
                  **extra) -> dict:
    """Append one measured result and return it (chapters 1-4 record, Chapter 5 reads).

    ``latency_ms`` is per example; ``cost_usd`` what the run cost in money (0 for free
    local inference); ``extra`` holds anything else worth keeping (e.g. hub mode, F1).
    """
    record = dict(chapter=chapter, approach=approach, task=task, data=data, model=model,
                  profile=profile, device=device, accuracy=accuracy, n_examples=n_examples,
                  latency_ms=latency_ms, cost_usd=cost_usd, train_seconds=train_seconds,
                  total_seconds=total_seconds, **extra)
    for name in REQUIRED:
        if not record[name]:
            raise ValueError(f"record_result needs a non-empty {name!r}.")
    if accuracy is not None and not 0.0 <= accuracy <= 1.0:
        raise ValueError(f"accuracy is a fraction between 0 and 1, got {accuracy}.")
    for name in MEASURES:
        value = record[name]
        if value is not None and (not isinstance(value, (int, float)) or math.isnan(value)):
            raise ValueError(f"{name} must be a number, got {value!r}.")
    record["recorded_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    path = results_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")
    return record


def load_results(latest_only: bool = True) -> list[dict]:
    """Every recorded result; with ``latest_only`` the newest per (chapter, approach, profile)."""
    path = results_file()
    if not path.exists():
        return []
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not latest_only:
        return records
    latest = {}
    for record in records:  # the file is in time order, so later lines win
        latest[(record["chapter"], record["approach"], record["profile"])] = record
    return list(latest.values())


def accuracy_interval(correct: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for an accuracy of ``correct``/``n`` (chapters 2, 3, 5).

    On a few hundred examples an accuracy is only known to a few points; the
    interval says how many. Wilson's interval stays inside [0, 1] and behaves
    well near 0 and 1, unlike the textbook ``p +/- 1.96 * sqrt(p(1-p)/n)``. Computed by SciPy.
    """
    from scipy.stats import binomtest

    if n <= 0 or not 0 <= correct <= n:
        raise ValueError(f"need 0 <= correct <= n and n > 0, got correct={correct}, n={n}.")
    interval = binomtest(correct, n).proportion_ci(confidence_level=confidence, method="wilson")
    return float(interval.low), float(interval.high)


def paired_test(predicted_a, predicted_b, truth) -> dict:
    """McNemar's exact test: do two approaches scored on the *same* examples differ? (Chapter 5)

    Only the examples where exactly one of the two is right say anything about which is better:
    ``only_a`` (A right, B wrong) and ``only_b`` (B right, A wrong). If the two were equally
    accurate, each such example would go either way with probability 1/2, so ``only_a`` would
    follow Binomial(only_a + only_b, 1/2); ``p_value`` is SciPy's exact two-sided binomial test of
    that (1.0 when there is no such example). Because the reviews both get right or both get wrong
    drop out, it is sharper than asking whether two Wilson intervals overlap. An answer that is
    not a label (None) counts as wrong.
    """
    from scipy.stats import binomtest

    predicted_a, predicted_b, truth = list(predicted_a), list(predicted_b), list(truth)
    if not len(predicted_a) == len(predicted_b) == len(truth) > 0:
        raise ValueError(f"a paired test needs both approaches' answers on the same examples, got "
                         f"{len(predicted_a)}, {len(predicted_b)} answers for {len(truth)} examples.")
    right_a = [a == t for a, t in zip(predicted_a, truth)]
    right_b = [b == t for b, t in zip(predicted_b, truth)]
    only_a = sum(a and not b for a, b in zip(right_a, right_b))
    only_b = sum(b and not a for a, b in zip(right_a, right_b))
    p_value = binomtest(only_a, only_a + only_b, 0.5).pvalue if only_a + only_b else 1.0
    return {"only_a": only_a, "only_b": only_b, "n": len(truth), "p_value": float(p_value)}


def comparison_file():
    """``results/chapter05/comparison.md``: where Chapter 5 writes its measured table (the
    copy in docs/results.md is made from it by ``make comparison``)."""
    return results_dir() / "chapter05" / "comparison.md"
