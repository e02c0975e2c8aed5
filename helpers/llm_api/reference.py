"""Stored answers from a hosted model, for learners without a key (Chapter 1).

Without a key, Chapter 1's answers come from a 135M-parameter stand-in. To show what a hosted
model writes for the same request, a maintainer with a key runs ``make reference-answers``
(``course_tools.reference_answers``), which sends the requests below to the hosted model and stores
each answer with its model, date and token counts in ``data/reference-answers.json``. The chapter
prints a stored answer next to the stand-in's, labelled as a stored example; when none was stored,
it says so. Nothing in that file is written by hand.

Only requests whose input is fixed are stored: the support bot and the summaries read the course's
data, which differs online and offline, so a stored answer would answer a different question.
"""

from __future__ import annotations

import json
import textwrap

from helpers.paths import REPO_ROOT

REFERENCE_FILE = REPO_ROOT / "data" / "reference-answers.json"

# The exact requests (Responses API). Chapter 1 sends the same ones; a test keeps them in step.
REFERENCE_REQUESTS = {
    "creative": dict(input="Write the opening line of a story about a lighthouse keeper who finds a message in a bottle.",
                     max_output_tokens=120),
    "poet": dict(instructions="You are a poet. Answer in two short lines of verse.",
                 input="Describe a rainy afternoon.", max_output_tokens=120),
    "weather service": dict(instructions="You are a weather service. Answer in one factual sentence.",
                            input="Describe a rainy afternoon.", max_output_tokens=120),
}


def load_reference_answers(path=REFERENCE_FILE) -> dict:
    """The stored answers, by use case ({} when none were stored)."""
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def show_reference(name: str, path=REFERENCE_FILE, width: int = 100, quiet: bool = False) -> dict | None:
    """Print the stored hosted-model answer for ``name``, labelled, or say plainly that there is none
    (``quiet``: print nothing then, where an earlier call has said it once already)."""
    entry = load_reference_answers(path).get(name)
    if entry is None and quiet:
        return None
    if entry is None:
        print(f"[no stored example] No answer from a hosted model was stored for '{name}' yet: a maintainer "
              "creates them with `make reference-answers` and an OpenAI key.")
        return None
    print(f"[stored example: {entry['model']}, {entry['date']}, {entry['input_tokens']} tokens in, "
          f"{entry['output_tokens']} out; not this run's answer]")
    for paragraph in entry["answer"].strip().splitlines() or [""]:
        print(textwrap.fill(paragraph, width, initial_indent="  ", subsequent_indent="  ") or "  ")
    return entry
