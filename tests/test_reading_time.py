"""The teacher's guide's reading-time table (course_tools/reading_time.py) stays what the chapters hold."""

from __future__ import annotations

from course_tools.reading_time import MARKER_END, MARKER_START, minutes, reading_load, reading_table
from helpers.paths import REPO_ROOT


def test_prose_and_code_are_counted_apart():
    text = "# %% [markdown]\n# Two words\n\n# %%\nx = 1  # not counted as code prose\n# a comment here\ny = 2\n"
    load = reading_load(text)
    assert load == {"prose_words": 5, "code_lines": 2}
    assert minutes({"prose_words": 180, "code_lines": 12}) == 2


def test_the_teachers_guide_shows_the_current_table():
    guide = (REPO_ROOT / "docs" / "teaching.md").read_text(encoding="utf-8")
    shown = guide.split(MARKER_START)[1].split(MARKER_END)[0].strip()
    assert shown == reading_table().strip(), (
        "docs/teaching.md's reading-time table is out of date: paste the output of "
        "`python -m course_tools.reading_time` between its markers")
