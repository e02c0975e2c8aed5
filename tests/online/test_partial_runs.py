"""Which cells a second, partial run of a chapter executes (``online_support.chapter_cells``): the
online tests repeat only the sections their setup changes, so a wrong cut would silently test less."""

from __future__ import annotations

import nbformat
from online_support import chapter_cells

from helpers.paths import REPO_ROOT


def _cell(kind: str, source: str):
    return nbformat.v4.new_markdown_cell(source) if kind == "md" else nbformat.v4.new_code_cell(source)


CELLS = [_cell("md", "# Chapter"), _cell("md", "## Parameters"), _cell("code", "params"), _cell("code", "setup"),
         _cell("md", "## 1. One"), _cell("code", "one"),
         _cell("md", "## 2. Two"), _cell("code", "two"), _cell("md", "Text of two.\n\n## 3. Three"),
         _cell("code", "three"), _cell("md", "### 3a. A part of three"), _cell("code", "three-a"),
         _cell("md", "## 4. Four"), _cell("code", "four"), _cell("md", "## Summary"), _cell("code", "summary")]


def _code(cells) -> list[str]:
    return [c.source for c in cells if c.cell_type == "code"]


def test_sections_keep_the_setup_and_only_the_sections_named():
    assert _code(chapter_cells(CELLS, sections=["## 1.", "## 3."])) == ["params", "setup", "one", "three", "three-a"]
    # A heading in the middle of a cell opens its section there; a sub-heading stays in its section.
    assert _code(chapter_cells(CELLS, sections=["## 2."])) == ["params", "setup", "two"]
    assert _code(chapter_cells(CELLS, sections=["## 4."])) == ["params", "setup", "four"]  # not the Summary


def test_until_stops_before_the_heading_even_inside_a_cell():
    assert _code(chapter_cells(CELLS, until="## 3.")) == ["params", "setup", "one", "two"]
    assert _code(chapter_cells(CELLS, until="## 4.")) == ["params", "setup", "one", "two", "three", "three-a"]


def test_the_cuts_the_online_tests_use_find_their_headings():
    """Each heading an online test names exists in its chapter (renumbering a chapter fails here)."""
    chapters = {name: nbformat.read(next((REPO_ROOT / "notebooks").glob(f"{name}_*.ipynb")), as_version=4)
                for name in ("01", "01b", "03", "05")}
    headings = {name: [line for c in nb.cells if c.cell_type == "markdown" for line in c.source.splitlines()
                       if line.startswith("## ")] for name, nb in chapters.items()}
    for name, wanted in [("01", ["## 1. Keys", "## 2. Connect"]), ("01b", ["## 1. Failure"]),
                         ("03", ["## 5. Save, reload", "## 7. Parameter-efficient", "## 8. The trade-offs"]),
                         ("05", ["## 3. A hosted model", "## 4. An off-the-shelf", "## 10. Accuracy",
                                 "## 11. The learning curve"])]:
        for heading in wanted:
            assert any(h.startswith(heading) for h in headings[name]), (name, heading)
    # The keyless run's cuts: Chapter 1's still reaches section 2's streaming; 01b's keeps its own key
    # and connection (the cells before its section 1) and reaches the bad-key demonstration, not the cache.
    kept = "\n".join(_code(chapter_cells(chapters["01"].cells, sections=["## 1.", "## 2."])))
    assert "resolve_api_key()" in kept and "first_piece" in kept
    kept = "\n".join(_code(chapter_cells(chapters["01b"].cells, sections=["## 1."])))
    assert "resolve_api_key()" in kept and "connect(" in kept and "bad_client.models.list()" in kept \
        and "ResponseCache" not in kept
    # The key run's cut keeps where the key is found and the prices; 01b, run whole, the errors and the cache.
    from test_online_chapter01 import CHAPTER1_KEY_RUN

    kept = "\n".join(_code(chapter_cells(chapters["01"].cells, sections=CHAPTER1_KEY_RUN)))
    assert "resolve_api_key()" in kept and "estimate_cost(" in kept
    whole = "\n".join(_code(chapters["01b"].cells))
    assert "bad_client.models.list()" in whole and "ResponseCache" in whole
    # Chapter 3's cut keeps what Chapter 5 reuses: both saved models and their records.
    kept = "\n".join(_code(chapter_cells(chapters["03"].cells, sections=["## 1.", "## 2.", "## 3.", "## 4.", "## 5.",
                                                                       "## 7.", "## 8."])))
    assert '"fine-tuned-full"' in kept and '"fine-tuned-lora"' in kept and 'approach="fine-tuned (LoRA)"' in kept
