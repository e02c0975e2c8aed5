"""Checks for the exercises: one module per chapter, one function per exercise (every exercise notebook).

Each exercise notebook (``notebooks/exercises/NN_exercises.ipynb``) asks you to write a function,
then runs its check as the last line of a cell, for example::

    from helpers.checks import chapter04 as checks
    checks.top_k_sampling(sample_top_k)

A check calls your function on small inputs whose right answers are known (fixed tensors, a
tiny model with random weights, a pretend server that answers from a script): offline, in
seconds, on a CPU. It never raises; it returns a ``CheckResult``, which Jupyter shows under the
cell: passed, not done yet, or what exactly is wrong ("your sampler returned token 7 for row 1,
which is outside the top 3"). So *Run All* works before you have written anything.

- ``feedback``: ``CheckResult``, the ``Mistake`` a check raises for a wrong answer, and the
  ``exercise`` decorator that turns both (and errors in your code) into one line of feedback;
- ``chapter01`` ... ``chapter05``: the checks of each chapter's exercises;
- ``pretend``: a scripted pretend OpenAI server and a pretend pipeline (the checks' test doubles).

Reading a check is allowed, and it tells you what is expected; it is not the solution.
"""

from helpers.checks.feedback import CheckResult, Mistake, exercise, passed, results

__all__ = ["CheckResult", "Mistake", "exercise", "passed", "results"]
