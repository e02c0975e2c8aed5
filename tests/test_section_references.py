"""Every "section N" the course writes points to a section that exists, and a chapter's opening list
of its sections numbers them as its headings do.

A chapter's sections are its numbered headings in the text twin (``notebooks/text/NN_name.py``):
``## N. Title``, and ``### Nx. Title`` for a lettered part (``section 5b``). Sections get inserted,
moved and split; a sentence that says "section 5 shows a trained head" then points to the wrong
place, and nothing but a reader notices. Here every reference is read and looked up:

- the forms: "section N", "sections N and M", "sections N, M and P", "sections N to M",
  "sections N-M", with a letter for a lettered part (5b); "Section N's" at a sentence's start too;
- which chapter: "Chapter K's section N", "Chapter K, section N" and "section N of Chapter K" name
  it; otherwise a chapter's text twin means itself, a bonus notebook's (``NNb_name.py``) means the
  bonus notebook's own sections, and an exercise source (``solutions/NN_*.py``) means Chapter NN; in
  ``README.md`` and ``docs/`` the chapter is the last "Chapter K" named before the reference in the
  same paragraph (a reference with none is reported: say which chapter). A bonus notebook's sections
  cannot be named from elsewhere ("Chapter 3's section 1" is the chapter's): name the notebook instead.

What a test cannot read is whether section N is about what the sentence says: a reference to a
section that exists but is the wrong one passes. Keep references few, and re-read them when the
sections move (``grep -n "section [0-9]"``).

The opening list: a chapter whose introduction says "You will:" follows it with a numbered list,
one item per numbered section, in the order of the headings; item N and heading N must share a word
(so a list that skips or swaps a section fails here, with both texts in the message).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers.paths import REPO_ROOT

CHAPTERS = sorted((REPO_ROOT / "notebooks" / "text").glob("[0-9][0-9]*_*.py"))
EXERCISES = sorted((REPO_ROOT / "solutions").glob("[0-9][0-9]_exercises.py"))
DOCS = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").rglob("*.md"))]

NUMBER = r"\d+[a-z]?"
REFERENCE = re.compile(
    rf"(?:\bChapter\s+(?P<before>\d+)(?:'s|,)\s+)?"                      # "Chapter 2's " / "Chapter 2, "
    rf"\bsections?\s+(?P<numbers>{NUMBER}(?:(?:,\s*|\s+and\s+|\s+to\s+|\s*-\s*){NUMBER}(?![\w.]))*)(?![\w])"
    rf"(?:\s+of\s+Chapter\s+(?P<after>\d+))?",                            # " of Chapter 2"
    re.IGNORECASE)
CHAPTER_NAMED = re.compile(r"\bChapter\s+(\d+)\b")
HEADING = re.compile(r"^# (##|###) (\d+[a-z]?)\. (.+)$", re.MULTILINE)


def chapter_number(path: Path) -> int:
    return int(path.name[:2])


def is_bonus(path: Path) -> bool:
    """A bonus notebook's text twin (``04b_training_faster.py``), not a chapter's (``04_...``)."""
    return path.parent.name == "text" and path.name[2] != "_"


def own_sections(path: Path) -> int | Path:
    """What "section N" with no chapter named means in a text twin: the chapter's number, or for a
    bonus notebook its own text twin (its sections are its own, not its chapter's)."""
    return path if is_bonus(path) else chapter_number(path)


def sections(chapter: int | Path) -> dict[str, str]:
    """A chapter's numbered sections and lettered parts ("4", "2c"), each with its title; given a
    bonus notebook's text twin, that notebook's."""
    twin = chapter if isinstance(chapter, Path) else next(
        p for p in CHAPTERS if not is_bonus(p) and chapter_number(p) == chapter)
    return {number: title for _, number, title in HEADING.findall(twin.read_text(encoding="utf-8"))}


def prose(path: Path, text: str | None = None) -> str:
    """The file's text (or ``text``, as if it were the file's) with each line's comment marker taken off
    (a text twin's markdown is comments), line for line, so a reference broken over two lines reads as
    one and line numbers still count."""
    text = path.read_text(encoding="utf-8") if text is None else text
    if path.suffix != ".py":
        return text
    return "\n".join(re.sub(r"^\s*#+ ?", "", line) for line in text.splitlines())


def expand(numbers: str) -> list[str]:
    """ "5 to 7" -> 5, 6, 7; "1, 3 and 6" -> 1, 3, 6; "5b" stays "5b"."""
    found = []
    for part in re.split(r",\s*|\s+and\s+", numbers):
        ends = re.split(r"\s+to\s+|\s*-\s*", part.strip())
        if len(ends) == 2 and ends[0].isdigit() and ends[1].isdigit():
            found += [str(n) for n in range(int(ends[0]), int(ends[1]) + 1)]
        else:
            found += ends
    return found


def references(path: Path, text: str | None = None) -> list[tuple[int, int | Path | None, str, str]]:
    """Every (line, chapter (a bonus notebook: its text twin) or None when it cannot be told, section,
    the words as written) in a file (or in ``text``, read as if it were that file)."""
    text = prose(path, text)
    own = own_sections(path) if path.suffix == ".py" else None
    found = []
    for match in REFERENCE.finditer(text):
        chapter = match.group("before") or match.group("after")
        if chapter is None and own is None:  # the README or docs: the chapter this paragraph last named
            paragraph_start = text.rfind("\n\n", 0, match.start())
            named = CHAPTER_NAMED.findall(text, max(paragraph_start, 0), match.start())
            chapter = named[-1] if named else None
        chapter = int(chapter) if chapter is not None else own
        line = text.count("\n", 0, match.start()) + 1
        for number in expand(match.group("numbers")):
            found.append((line, chapter, number, " ".join(match.group(0).split())))
    return found


def test_the_reader_finds_each_form():
    """The forms the course writes, read as meant (so the test below cannot pass by finding nothing)."""
    sample = Path("solutions/05_exercises.py")
    text = ("# Chapter 2, sections 1, 3 and 6: one.\n# the table's models (sections 5 to 7 trained them)\n"
            "# Section 9's table; as in section\n# 5b of it; Chapter 2's section 6; section 4 of Chapter 3.\n"
            "# not a reference: a subsection 4, section headings, the section \"Performance\".\n")
    got = [(chapter, number) for _, chapter, number, _ in references(sample, text)]
    assert got == [(2, "1"), (2, "3"), (2, "6"), (5, "5"), (5, "6"), (5, "7"), (5, "9"), (5, "5b"), (2, "6"),
                   (3, "4")], got
    bonus = REPO_ROOT / "notebooks" / "text" / "03b_under_the_hood.py"
    got = [(chapter, number) for _, chapter, number, _ in references(bonus, "# section 2; Chapter 3's section 7.\n")]
    assert got == [(bonus, "2"), (3, "7")], got  # a bonus notebook's own sections, then its chapter's


@pytest.mark.parametrize("path", CHAPTERS + EXERCISES + DOCS, ids=lambda p: p.relative_to(REPO_ROOT).as_posix())
def test_every_section_reference_points_to_a_section(path):
    where = path.relative_to(REPO_ROOT).as_posix()
    wrong = []
    for line, chapter, number, written in references(path):
        if chapter is None:
            wrong.append(f"{where}:{line}: {written!r}: which chapter? Name it (\"Chapter K's section N\")")
        elif number not in sections(chapter):
            have = ", ".join(sections(chapter))
            name = chapter.stem if isinstance(chapter, Path) else f"Chapter {chapter}"
            wrong.append(f"{where}:{line}: {written!r}: {name} has no section {number} (it has {have})")
    assert not wrong, "references to sections that do not exist:\n" + "\n".join(wrong)


STOPWORDS = set("what does that this with your from into then them they their each every more most some "
                "same other about after before over under only also when which there have were been".split())


def content_words(text: str) -> set[str]:
    """Words of 4+ letters, minus common ones, cut to 5 letters so "accuracy" meets "accurate"."""
    return {w[:5] for w in re.findall(r"[a-z]+", text.lower()) if len(w) >= 4 and w not in STOPWORDS}


def opening_list(path: Path) -> list[str] | None:
    """The numbered list after "You will:" in the chapter's first cell, one string per item; None if
    the introduction has no such list."""
    first_cell = prose(path).split("%% ", 2)[1]
    if "You will:" not in first_cell:
        return None
    after = first_cell.split("You will:", 1)[1]
    items = []
    for line in after.splitlines()[1:]:
        if match := re.match(r"(\d+)\. (.*)", line):
            assert int(match.group(1)) == len(items) + 1, f"{path.name}: the list's item {match.group(1)} is out of order"
            items.append(match.group(2))
        elif items and line.startswith("   ") and line.strip():
            items[-1] += " " + line.strip()  # an item continued on the next line
        elif items:
            break
    return items


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_the_opening_list_numbers_the_sections_as_the_headings_do(path):
    items = opening_list(path)
    if items is None:
        pytest.skip(f"{path.name}'s introduction lists no sections")
    numbered = {n: title for n, title in sections(own_sections(path)).items() if n.isdigit()}
    headings = [numbered[str(n)] for n in range(1, len(numbered) + 1)]
    assert len(items) == len(headings), (
        f"{path.name}: the introduction lists {len(items)} items, the chapter has {len(headings)} numbered "
        f"sections; make item N what section N is:\n" + "\n".join(f"  {n}. {h}" for n, h in enumerate(headings, 1)))
    apart = [f"  item {n}: {item}\n  section {n}: {heading}" for n, (item, heading) in enumerate(zip(items, headings), 1)
             if not content_words(item) & content_words(heading)]
    assert not apart, f"{path.name}: these items share no word with the section of their number:\n" + "\n".join(apart)
