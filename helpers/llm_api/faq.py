"""The support bot's knowledge base: the fictional kettle's FAQ and the keyword retriever that Chapter 1,
section 5, writes out (checked equal to this there). Chapter 1's bonus notebook, 01b_in_production,
searches the same FAQ by meaning and sets this retriever beside it."""

from __future__ import annotations

import re
from pathlib import Path

from helpers.paths import REPO_ROOT

FAQ_FILE = REPO_ROOT / "data" / "support_faq.md"
# Words too common to say what a question is about ("what", "the" are under 4 letters anyway).
STOPWORDS = set("what does that this with your have from will when where which there about could would "
                "should please keep keeps mean near".split())


def read_faq(path: Path = FAQ_FILE) -> dict[str, str]:
    """question -> answer, one per ``## `` heading of the FAQ file, each answer on one line."""
    faq = {}
    for block in path.read_text(encoding="utf-8").split("\n## ")[1:]:
        question, _, answer = block.partition("\n")
        faq[question.strip()] = " ".join(answer.split())
    return faq


def words(text: str) -> set[str]:
    """Content words: 4+ letters, minus common ones, so "what" or "the" never count as a match."""
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) >= 4 and w not in STOPWORDS}


def relevant_entries(faq: dict[str, str], question: str, k: int = 2) -> list[tuple[str, str]]:
    """The k FAQ entries sharing most words with the question (a tiny keyword retriever); none that
    share no word."""
    scored = sorted(((len(words(question) & words(q + " " + a)), q) for q, a in faq.items()), reverse=True)
    return [(q, faq[q]) for score, q in scored[:k] if score > 0]
