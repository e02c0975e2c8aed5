"""Chapter 5's measured tables as Markdown, and into README.md (``make comparison``).

- ``comparison_markdown``: the chapter's rows, learning curve and regenerated syllabus table as
  the Markdown file the chapter writes (``results/chapter05/comparison.md``);
- ``write_readme_table``: that file copied into the README between its comparison markers.

    python -m course_tools.readme_table
"""

from __future__ import annotations

import sys

from helpers.paths import REPO_ROOT
from helpers.results import comparison_file

README_START = "<!-- comparison:start -->"
README_END = "<!-- comparison:end -->"


def comparison_markdown(*, header: list[str], rows: dict, predictions: int, curve: dict, reading: list[str],
                        syllabus: list[dict], rules: list[str], disagreements: list[str] = ()) -> str:
    """The Markdown Chapter 5 writes: ``header`` lines (where, when, on what), one table row per
    approach (``add_row``'s dicts, best first), the learning curve and its reading, the syllabus's
    table regenerated (``syllabus``: one dict per family, with the columns below) with its
    ``rules`` and the ``disagreements`` with the syllabus, and the rows' notes, each said once."""
    from helpers.yardstick import money, number

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


def write_readme_table(readme=REPO_ROOT / "README.md", table=None) -> str:
    """Put Chapter 5's latest measured table (``comparison_file()``) into the README, between
    the comparison markers; ``make comparison`` runs the chapter, then this."""
    table = table or comparison_file()
    if not table.exists():
        raise FileNotFoundError(f"{table} does not exist yet: run Chapter 5 first (make comparison PROFILE=cpu).")
    text = readme.read_text(encoding="utf-8")
    if README_START not in text or README_END not in text:
        raise ValueError(f"{readme.name} has no {README_START} ... {README_END} block to fill.")
    head, rest = text.split(README_START, 1)
    _, tail = rest.split(README_END, 1)
    block = table.read_text(encoding="utf-8").strip()
    readme.write_text(f"{head}{README_START}\n{block}\n{README_END}{tail}", encoding="utf-8")
    return block


def main(argv: list[str] | None = None) -> int:
    try:
        block = write_readme_table()
    except (FileNotFoundError, ValueError) as error:
        print(error, file=sys.stderr)
        return 1
    print(f"README.md updated with the table of {comparison_file()}:\n{block[:400]}...")
    return 0


if __name__ == "__main__":
    sys.exit(main())
