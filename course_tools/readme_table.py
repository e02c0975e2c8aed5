"""Chapter 5's measured table into docs/results.md (``make comparison``).

The chapter writes its table itself (``helpers.yardstick.comparison_markdown``, into
``results/chapter05/comparison.md``): what a chapter runs lives in ``helpers``. This module only
copies that file into ``docs/results.md`` (which the README links to and the website's landing page
includes), between its comparison markers (``write_readme_table``; named from when the table was
in the README).

    python -m course_tools.readme_table
"""

from __future__ import annotations

import sys

from helpers.paths import REPO_ROOT
from helpers.results import comparison_file

README_START = "<!-- comparison:start -->"
README_END = "<!-- comparison:end -->"
RESULTS_PAGE = REPO_ROOT / "docs" / "results.md"


def write_readme_table(readme=RESULTS_PAGE, table=None) -> str:
    """Put Chapter 5's latest measured table (``comparison_file()``) into ``readme`` (docs/results.md), between
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
    print(f"{RESULTS_PAGE.relative_to(REPO_ROOT)} updated with the table of {comparison_file()}:\n{block[:400]}...")
    return 0


if __name__ == "__main__":
    sys.exit(main())
