"""What a check says: passed, not done yet, or exactly what is wrong (every exercise notebook).

A check function (in ``helpers.checks.chapterNN``) is decorated with ``@exercise("4.1", "title")``.
Its body calls your code and raises ``Mistake("what is wrong, and what to do")`` at the first
wrong answer; the decorator turns that, a ``NotImplementedError`` (the blank you have not filled
in yet) or any error your code raised into a ``CheckResult``. Nothing escapes, so a notebook's
*Run All* goes on past an unfinished exercise.
"""

from __future__ import annotations

import functools
import hashlib
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

_HERE = Path(__file__).resolve().parent
_SUFFIX = {"passed": "", "not done": "not done yet: ", "wrong": "", "error": "your code raised an error: "}


class Mistake(AssertionError):
    """A wrong answer from the learner's code; the message is the feedback the learner reads."""


class NotAnswered(NotImplementedError):
    """A question whose answer is still its placeholder (None): "not done yet", with this message."""


@dataclass(frozen=True)
class CheckResult:
    """One check's verdict. ``status`` is "passed", "not done" (the blank still raises
    ``NotImplementedError``), "wrong" (an answer is wrong: ``message`` says which) or "error"
    (the code raised something else). True only when passed, so ``assert result`` works."""

    exercise: str
    title: str
    status: str
    message: str

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        mark = "✓" if self.passed else "✗"
        return f"{mark} Exercise {self.exercise} ({self.title}): {_SUFFIX[self.status]}{self.message}"

    __repr__ = __str__

    def _ipython_display_(self) -> None:
        """In Jupyter, a check on the last line of a cell prints its verdict (no ``Out[n]:``)."""
        print(self)


_RESULTS: list[CheckResult] = []


def results() -> list[CheckResult]:
    """Every check run in this Python process, in order (the course's tests read them)."""
    return list(_RESULTS)


def passed(*numbers: str) -> bool:
    """True when the latest check of each exercise ``numbers`` ("4.1", ...) in this session passed:
    the notebooks' "try it for real" cells run only then."""
    latest = {r.exercise: r for r in _RESULTS}
    return all(number in latest and latest[number].passed for number in numbers)


def _learner_frame(error: BaseException) -> traceback.FrameSummary | None:
    """The innermost frame of the learner's own code in ``error``'s traceback: not a check's,
    not a library's (notebook cells have file names like ``/tmp/ipykernel_1/123.py``)."""
    mine = None
    for frame in traceback.extract_tb(error.__traceback__):
        path = frame.filename
        if path.startswith(str(_HERE)) or "site-packages" in path or "/lib/python" in path:
            continue
        mine = frame
    return mine


def _not_done(error: NotImplementedError) -> str:
    frame = _learner_frame(error)
    name = f"`{frame.name}`" if frame and frame.name not in ("<module>", "<lambda>") else "your function"
    return (f"{name} still raises NotImplementedError. Write your code in place of the lines "
            "`# YOUR CODE HERE` and `raise NotImplementedError()`, run that cell, then run this one again.")


def _error(error: BaseException) -> str:
    frame = _learner_frame(error)
    where = f" (in `{frame.name}`, at `{(frame.line or '').strip()}`)" if frame else ""
    first_line = (str(error).strip().splitlines() or [""])[0][:300]
    return f"{type(error).__name__}: {first_line}{where}"


def exercise(number: str, title: str) -> Callable[[Callable[..., str | None]], Callable[..., CheckResult]]:
    """Decorator for a check: ``number`` like "4.1", ``title`` a few words. The decorated body
    returns what to say when everything is right (or None), and raises ``Mistake`` otherwise."""

    def decorate(body: Callable[..., str | None]) -> Callable[..., CheckResult]:
        @functools.wraps(body)
        def run(*args, **kwargs) -> CheckResult:
            try:
                praise = body(*args, **kwargs)
                result = CheckResult(number, title, "passed", praise or "passed.")
            except NotImplementedError as error:
                message = str(error) if isinstance(error, NotAnswered) else _not_done(error)
                result = CheckResult(number, title, "not done", message)
            except Mistake as error:
                result = CheckResult(number, title, "wrong", str(error))
            except Exception as error:  # the learner's code crashed: say where, never crash the notebook
                result = CheckResult(number, title, "error", _error(error))
            _RESULTS.append(result)
            return result

        run.exercise = number  # type: ignore[attr-defined]  (the tests list every check by number)
        return run

    return decorate


def require_callable(thing, name: str) -> None:
    """A check's first step: ``thing`` must be a function (a name reused for data is a common slip)."""
    if not callable(thing):
        raise Mistake(f"expected the function `{name}`, got {type(thing).__name__} {str(thing)[:60]!r}. "
                      f"Pass the function itself: `{name}`, without calling it.")


def _digest(number: str, letter: str) -> str:
    return hashlib.sha256(f"{number}:{letter}".encode()).hexdigest()[:16]


def multiple_choice(answer, *, name: str, number: str, choices: str, digest: str, reread: str, why: str) -> str:
    """A multiple-choice question's check: ``answer`` is the letter the learner set in the variable
    ``name`` (None until then). The right letter is kept only as a digest, so reading the check does not
    give it away; a wrong letter gets only where to reread, a right one the explanation ``why``."""
    if answer is None:
        raise NotAnswered(f"`{name}` is still None: set it to the letter of your answer ({', '.join(choices)}), run "
                          "that cell, then this one.")
    letter = answer.strip().lower() if isinstance(answer, str) else None
    if letter not in tuple(choices):
        raise Mistake(f"`{name}` is {answer!r}; set it to one letter, as a string: one of {', '.join(choices)}.")
    if _digest(number, letter) != digest:
        raise Mistake(f"{letter!r} is not the answer. Reread {reread}, then try again.")
    return why
