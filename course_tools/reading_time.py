"""How long each notebook takes to *read*, estimated from its text twin, for the teacher's guide.

    python -m course_tools.reading_time          # the table docs/teaching.md shows, in Markdown

A learner's sitting is reading plus running plus the exercises. Running is measured (docs/chapters.md);
reading is estimated here from what there is to read, at stated rates, because no class has timed it
yet: prose (Markdown cells, and the comments in code) at ``PROSE_WORDS_PER_MINUTE``, code at
``CODE_LINES_PER_MINUTE``. The rates are the course's assumptions, printed with the table: adults
read non-fiction silently at about 240 words a minute (Brysbaert 2019, a meta-analysis of 190
studies), and reading to learn goes slower; code read to be understood goes slower still.
``tests/test_reading_time.py`` keeps the table in docs/teaching.md equal to this module's output, so
a chapter that grows changes its line there.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from helpers.paths import REPO_ROOT

PROSE_WORDS_PER_MINUTE = 180
CODE_LINES_PER_MINUTE = 12
MARKER_START = "<!-- reading-time:start -->"
MARKER_END = "<!-- reading-time:end -->"


def reading_load(text: str) -> dict:
    """Words of prose and lines of code in a jupytext percent-format text (``# %%`` cells)."""
    prose_words, code_lines, in_markdown = 0, 0, False
    for line in text.splitlines():
        if line.startswith("# %%"):
            in_markdown = "[markdown]" in line
            continue
        stripped = line.strip()
        if not stripped:
            continue
        if in_markdown or stripped.startswith("#"):  # Markdown, or a comment in code: both are read as prose
            prose_words += len(re.findall(r"[A-Za-z0-9][\w'.,-]*", stripped.lstrip("#")))
        else:
            code_lines += 1
    return {"prose_words": prose_words, "code_lines": code_lines}


def minutes(load: dict) -> float:
    """Estimated reading minutes for ``reading_load``'s counts, at the module's rates."""
    return load["prose_words"] / PROSE_WORDS_PER_MINUTE + load["code_lines"] / CODE_LINES_PER_MINUTE


def reading_table(root: Path = REPO_ROOT) -> str:
    """The Markdown table: per chapter (and bonus), its words, code lines and estimated reading time,
    and the same for its exercise notebook's source (``solutions/NN_exercises.py`` without the solutions)."""
    lines = ["| notebook | prose words | code lines | reading, estimated | its exercises: words, code lines, reading |",
             "|---|---|---|---|---|"]
    for twin in sorted((root / "notebooks" / "text").glob("[0-9][0-9]*_*.py")):
        load = reading_load(twin.read_text(encoding="utf-8"))
        number = twin.stem.split("_")[0]
        exercises = root / "solutions" / f"{number}_exercises.py"
        if exercises.exists():
            blank = re.sub(r"### BEGIN SOLUTION.*?### END SOLUTION", "", exercises.read_text(encoding="utf-8"),
                           flags=re.S)
            ex = reading_load(blank)
            ex_cell = f"{ex['prose_words']:,}, {ex['code_lines']}, {minutes(ex):.0f} min"
        else:
            ex_cell = "(no exercises)"
        lines.append(f"| `{twin.stem}` | {load['prose_words']:,} | {load['code_lines']} | {minutes(load):.0f} min | {ex_cell} |")
    lines.append("")
    lines.append(f"Rates assumed: prose (Markdown and code comments) at {PROSE_WORDS_PER_MINUTE} words a minute, "
                 f"code at {CODE_LINES_PER_MINUTE} lines a minute; writing the exercises' answers is not counted.")
    return "\n".join(lines)


def main() -> int:
    print(reading_table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
