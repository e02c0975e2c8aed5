"""Each chapter's text twin (notebooks/text/NN_name.py, jupytext's percent format) is the file
people edit and review; the .ipynb is what learners open. They must say the same thing."""

import jupytext
import pytest

from course_tools.harness import course_notebooks


def cells(notebook):
    """What a reader sees: each cell's kind, text and tags (outputs and ids are the .ipynb's own)."""
    return [(c.cell_type, c.source.strip(), tuple(c.metadata.get("tags", ()))) for c in notebook.cells]


@pytest.mark.parametrize("notebook", course_notebooks(), ids=lambda p: p.stem)
def test_the_notebook_and_its_text_twin_agree(notebook):
    text = notebook.parent / "text" / f"{notebook.stem}.py"
    assert text.exists(), f"{text} is missing: run `jupytext --sync {notebook}` once to create it"
    from_ipynb, from_text = cells(jupytext.read(notebook)), cells(jupytext.read(text))
    for number, (a, b) in enumerate(zip(from_ipynb, from_text)):
        assert a == b, (f"cell {number} of {notebook.name} differs from {text.name}: edit the text twin, "
                        "then run `make notebooks`")
    assert len(from_ipynb) == len(from_text), f"{notebook.name} and {text.name} have different numbers of cells"


def test_there_is_no_text_twin_without_a_notebook():
    texts = {p.stem for p in (course_notebooks()[0].parent / "text").glob("*.py")}
    assert texts == {nb.stem for nb in course_notebooks()}


@pytest.mark.parametrize("notebook", course_notebooks(), ids=lambda p: p.stem)
def test_no_section_heading_is_hidden_in_a_code_cell(notebook):
    """A heading written where a code cell continues (a `# %% [markdown]` marker forgotten) shows as
    a grey comment, and the section is missing from the table of contents and the website's menu."""
    hidden = [line for cell in jupytext.read(notebook).cells if cell.cell_type == "code"
              for line in cell.source.splitlines() if line.startswith(("# # ", "# ## ", "# ### "))]
    assert not hidden, f"{notebook.name}: headings inside code cells (add `# %% [markdown]` before them): {hidden}"
