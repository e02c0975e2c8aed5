"""Chapter 5's yardstick: every approach measured the same way, on the same reviews.

- ``measure``: accuracy with its interval, throughput over the whole test set, and the latency
  of one review on its own;
- ``local_cost_usd``: seconds of your machine times an hourly price you choose;
- ``megabytes``: a model's weights' size in float32;
- ``code_lines``: lines of code a learner writes for an approach (docstrings and comments excluded);
- ``labels_to_reach``: how many labelled examples an approach needs to reach an accuracy, read
  off the measured learning curve, never extrapolated;
- ``machine_description``: the machine every time and cost depends on, in one line;
- ``number``, ``money``, ``comparison_table``: the measurements formatted for people;
- ``comparison_markdown``: the same rows, the learning curve and the regenerated syllabus table as
  the Markdown file the chapter writes (``results/chapter05/comparison.md``; ``make comparison``
  copies it into docs/results.md).
"""

from __future__ import annotations

import inspect
import io
import math
import os
import statistics
import textwrap
import time
import tokenize
from typing import Callable, Sequence

from helpers.results import accuracy_interval


def measure(predict: Callable[[list[str]], list[int]], texts: Sequence[str], truth: Sequence[int],
            single_reviews: int = 20) -> dict:
    """Run ``predict`` (a list of reviews in, a list of 0/1 labels out) on the whole test set and
    measure it the same way for every approach (Chapter 5):

    - accuracy, with its 95% Wilson interval (an answer that is not a label counts as wrong);
    - throughput: reviews per second when the approach gets all of them at once (batched);
    - latency: the median time for *one* review asked on its own (what a user waiting for an
      answer feels), over the first ``single_reviews`` reviews (0: not measured, None).
    """
    texts, truth = list(texts), list(truth)
    predict(texts[:2])  # warm-up: the first call pays one-off costs (threads, caches)
    start = time.perf_counter()
    predicted = list(predict(texts))
    seconds = time.perf_counter() - start
    singles = []
    for text in texts[:single_reviews]:
        start = time.perf_counter()
        predict([text])
        singles.append(time.perf_counter() - start)
    correct = sum(int(p == t) for p, t in zip(predicted, truth))
    return {"accuracy": correct / len(truth), "correct": correct, "n": len(truth),
            "interval": accuracy_interval(correct, len(truth)), "predicted": predicted,
            "throughput": len(truth) / seconds, "latency_ms": 1000 * statistics.median(singles) if singles else None,
            "predict_seconds": seconds}


def machine_description() -> str:
    """The machine a measurement ran on, in a line: CPU model, usable cores, memory, GPU
    (Chapter 5 prints it under every table, because every time and cost depends on it)."""
    import platform

    import torch

    from helpers.environment import available_cpus

    cpu = platform.processor() or platform.machine()
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo", encoding="utf-8")
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = ""
    try:
        pages, page_size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages * page_size / 2**30:.0f} GiB RAM"
    except (ValueError, OSError, AttributeError):
        pass
    gpu = (f", GPU {torch.cuda.get_device_name(0)}" if torch.cuda.is_available() else ", no GPU")
    return f"{platform.system()} {platform.machine()}, {cpu}, {available_cpus()} usable CPU cores{memory}{gpu}"


def local_cost_usd(seconds: float, dollars_per_hour: float) -> float:
    """What ``seconds`` of a machine rented at ``dollars_per_hour`` cost (Chapter 5)."""
    return seconds / 3600 * dollars_per_hour


def code_lines(*objects) -> int:
    """Lines of code a learner writes for ``objects`` (functions or classes): blank lines,
    comments and docstrings do not count (Chapter 5's measure of effort)."""
    total = 0
    for obj in objects:
        source = textwrap.dedent(inspect.getsource(obj))
        lines = set()
        previous = None
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            kind = token.type
            # A string that stands alone as a statement is a docstring, not code.
            if kind == tokenize.STRING and previous in (tokenize.INDENT, tokenize.NEWLINE, tokenize.DEDENT, None):
                previous = kind
                continue
            if kind not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
                            tokenize.DEDENT, tokenize.ENDMARKER):
                lines.update(range(token.start[0], token.end[0] + 1))
            if kind not in (tokenize.COMMENT, tokenize.NL):
                previous = kind
        total += len(lines)
    return total


def megabytes(model) -> float:
    """Size of a model's weights in float32, as saved on disk (Chapter 5)."""
    return sum(p.numel() for p in model.parameters()) * 4 / 2**20


def labels_to_reach(ns: Sequence[int], accuracies: Sequence[float], target: float) -> float | None:
    """How many labelled examples a learning curve needs to reach ``target`` accuracy, read off
    the measured points (straight lines between them on a log scale of n). None when the curve
    never reaches it in the measured range: "more than max(ns)", not a guess (Chapter 5)."""
    points = list(zip(ns, accuracies))
    if points[0][1] >= target:
        return float(points[0][0])
    for (n0, a0), (n1, a1) in zip(points, points[1:]):
        if a0 < target <= a1:
            share = (target - a0) / (a1 - a0)
            return float(math.exp(math.log(n0) + share * (math.log(n1) - math.log(n0))))
    return None


def number(value, digits: int = 0) -> str:
    """A number for people: thousands separators, ``digits`` fixed decimals, "-" when there is
    none (None or NaN: not applicable to that approach)."""
    if value is None or value != value:
        return "-"
    return f"{value:,.{digits}f}"


def money(value) -> str:
    """Dollars for people: cents from a cent up, four decimals below it, "-" when not applicable."""
    if value is None or value != value:
        return "-"
    return f"${value:,.2f}" if value >= 0.01 or value == 0 else f"${value:,.4f}"


def comparison_table(rows: dict, predictions: int, api_reviews: int):
    """Chapter 5's measured rows as a table of strings, every column formatted for reading
    (``number``, ``money``), best accuracy first; the rows are ``add_row``'s dicts. A stand-in's row is
    named "<approach> [STAND-IN]": its numbers are not the real model's, and the name says so where
    they are read."""
    import pandas as pd

    table = {}
    for name, r in sorted(rows.items(), key=lambda item: -item[1]["accuracy"]):
        table[f"{name} [STAND-IN]" if r["stand_in"] else name] = {
            "accuracy (95% CI)": f"{r['accuracy']:.3f} ({r['low']:.3f}-{r['high']:.3f}), n={r['n']:,}",
            f"accuracy, first {api_reviews}": number(r["accuracy_on_api_subset"], 3),
            "labelled examples": number(r["labels"]),
            "ms per review (alone)": number(r["latency_ms"], 1),
            "reviews/s": number(r["throughput"]) + (" (one at a time)" if r["one_at_a_time"] else " (batched)"),
            "pre-training (s)": number(r["pretrain_seconds"]),
            "training (s)": number(r["train_seconds"]),
            "parameters": number(r["parameters"]),
            "trained parameters": number(r["trained_parameters"]),
            "size (MB)": number(r["size_mb"], 1),
            "training ($)": money(r["train_cost_usd"]),
            f"{predictions:,} reviews ($)": money(r["cost_for_workload_usd"]),
            "setup steps": ", ".join(r["setup"]) or "-",
            "lines of code": number(r["code_lines"]),
        }
    return pd.DataFrame.from_dict(table, orient="index")


def comparison_markdown(*, header: list[str], rows: dict, predictions: int, curve: dict, reading: list[str],
                        syllabus: list[dict], rules: list[str], disagreements: list[str] = ()) -> str:
    """The Markdown Chapter 5 writes: ``header`` lines (where, when, on what), one table row per
    approach (``add_row``'s dicts, best first), the learning curve and its reading, the syllabus's
    table regenerated (``syllabus``: one dict per family, with the columns below) with its
    ``rules`` and the ``disagreements`` with the syllabus, and the rows' notes, each said once."""
    lines = [*header, "",
             "| approach | model actually used | labelled examples | accuracy (95% CI) | ms per review (alone) | "
             f"reviews/s | pre-training (s) | training (s) | size (MB) | $ training + {predictions:,} reviews | "
             "setup steps | lines of code |",
             "|---|---|---:|---|---:|---:|---:|---:|---:|---:|---|---:|"]
    for approach, row in sorted(rows.items(), key=lambda item: -item[1]["accuracy"]):
        lines.append(
            f"| {approach} | {row['model']} | {row['labels']:,} | {row['accuracy']:.3f} ({row['low']:.3f}-"
            f"{row['high']:.3f}), n={row['n']:,} | {number(row['latency_ms'], 1)} | {number(row['throughput'])}"
            f"{' (one at a time)' if row['one_at_a_time'] else ''} | {number(row['pretrain_seconds'])} | "
            f"{number(row['train_seconds'])} | {number(row['size_mb'], 1)} | "
            f"{money(row['train_cost_usd'] + row['cost_for_workload_usd'])} | {', '.join(row['setup']) or '-'} | "
            f"{row['code_lines']} |")
    lines += ["", "Learning curve (accuracy by labelled examples): " + "; ".join(
        f"{name} " + ", ".join(f"{n:,}: {r['accuracy']:.3f}" for n, r in sorted(by_n.items()))
        for name, by_n in curve.items()) + ".", "", "Reading it: " + "; ".join(reading) + "."]
    columns = ["Ease of Use", "Flexibility", "Cost", "Compute: training", "Compute: serving", "When to Use"]
    lines += ["", "The syllabus's comparison, regenerated from these measurements:", "",
              "| Approach | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    lines += [f"| {row['Approach']} | " + " | ".join(row[c] for c in columns) + " |" for row in syllabus]
    lines += ["", "Rules: " + "; ".join(rules) + "."]
    if disagreements:
        lines += ["", "Where the measurements disagree with the syllabus: " + "; ".join(disagreements) + "."]
    notes = {}  # note -> the approaches it applies to, so a shared note is said once
    for approach, row in rows.items():
        if row["note"]:
            notes.setdefault(row["note"], []).append(approach)
    if notes:
        lines += ["", "Notes: " + "; ".join(f"{' and '.join(names)}: {note}" for note, names in notes.items()) + "."]
    return "\n".join(lines).rstrip() + "\n"
