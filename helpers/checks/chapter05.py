"""Checks for Chapter 5's exercises (notebooks/exercises/05_exercises.ipynb): comparing approaches.

- ``new_approach`` (exercise 5.1): an approach added to the yardstick: ``train(texts, labels)``
  returns ``predict(texts) -> labels``, which ``helpers.yardstick.measure`` can score; trained and
  tested on small made-up reviews (seconds, no download);
- ``learning_curve`` (exercise 5.2): accuracy at growing numbers of labels, each training set a
  prefix of the last; with a pretend trainer that writes down what it was given;
- ``break_even`` (exercise 5.3): how many reviews until running your own model is cheaper than
  paying per call;
- ``question_5_4`` (exercise 5.4): a multiple-choice question on the chapter; the right letter is kept
  only as a digest, and a wrong one is told where to reread.
"""

from __future__ import annotations

import math
import random

from helpers.checks.feedback import Mistake, exercise, multiple_choice, require_callable

_GOOD = "wonderful moving brilliant funny charming superb delightful gripping beautiful clever".split()
_BAD = "boring dull tedious awful clumsy predictable bland lifeless messy forgettable".split()
_FILLER = "the film movie plot cast story director script scenes ending music actors it was and a".split()


def made_up_reviews(n: int, seed: int, positive_share: float = 0.65) -> tuple[list[str], list[int]]:
    """``n`` short made-up reviews and their labels: a few words of their sentiment, sometimes one
    of the other, among neutral words. Easy for any approach that learns from labels."""
    rng = random.Random(seed)
    texts, labels = [], []
    for _ in range(n):
        label = int(rng.random() < positive_share)
        own, other = (_GOOD, _BAD) if label else (_BAD, _GOOD)
        words = rng.choices(_FILLER, k=rng.randint(4, 8)) + rng.choices(own, k=rng.randint(1, 3))
        if rng.random() < 0.3:
            words.append(rng.choice(other))
        rng.shuffle(words)
        texts.append(" ".join(words).capitalize() + ".")
        labels.append(label)
    return texts, labels


@exercise("5.1", "a new approach on the yardstick")
def new_approach(train_my_approach) -> str:
    """Exercise 5.1: ``train_my_approach(texts, labels)`` -> ``predict(texts) -> [0/1, ...]``,
    measured with Chapter 5's ``measure`` on made-up held-out reviews."""
    from helpers.yardstick import measure

    require_callable(train_my_approach, "train_my_approach")
    train_texts, train_labels = made_up_reviews(400, seed=1)
    test_texts, test_labels = made_up_reviews(200, seed=2)
    predict = train_my_approach(list(train_texts), list(train_labels))
    if not callable(predict):
        raise Mistake(f"train_my_approach returned a {type(predict).__name__}; return a function "
                      "predict(texts) -> labels (e.g. `return lambda texts: model.predict(texts).tolist()`).")
    answers = predict(list(test_texts))
    try:
        answers = list(answers)
    except TypeError:
        raise Mistake(f"predict returned {answers!r}; return one label per review, as a list.") from None
    if len(answers) != len(test_texts):
        raise Mistake(f"predict got {len(test_texts)} reviews and returned {len(answers)} labels: one per review.")
    odd = [a for a in answers if isinstance(a, (bool, str)) or a not in (0, 1)]
    if odd:
        raise Mistake(f"predict returned {odd[0]!r}; the yardstick wants labels 0 (negative) or 1 (positive), "
                      "not names or probabilities.")
    one = list(predict([test_texts[0]]))
    if len(one) != 1:
        raise Mistake(f"for a single review predict returned {one!r}: the yardstick also times one review alone.")
    if list(predict(list(test_texts))) != answers:
        raise Mistake("predict gave different labels for the same reviews on a second call: a measurement must "
                      "be repeatable.")
    result = measure(predict, test_texts, test_labels, single_reviews=3)
    majority = max(sum(test_labels), len(test_labels) - sum(test_labels)) / len(test_labels)
    if result["accuracy"] < majority + 0.1:
        raise Mistake(f"on made-up held-out reviews your approach scores {result['accuracy']:.2f}, and always "
                      f"answering the most common label scores {majority:.2f}: it should learn from the labels "
                      "(these reviews are easy: a few clearly positive or negative words each).")
    return (f"predict fits the yardstick; on made-up held-out reviews {result['accuracy']:.2f} "
            f"(majority label {majority:.2f}).")


class _PretendTrainer:
    """Records what it was trained on; its predict gets the first n // 4 test reviews right."""

    def __init__(self, test_labels):
        self.test_labels = list(test_labels)
        self.trained: list[tuple[list, list]] = []
        self.asked: list[list] = []

    def __call__(self, texts, labels):
        texts, labels = list(texts), list(labels)
        self.trained.append((texts, labels))
        right = len(texts) // 4

        def predict(batch):
            batch = list(batch)
            self.asked.append(batch)
            return [t if j < right else 1 - t for j, t in enumerate(self.test_labels[:len(batch)])]

        return predict


@exercise("5.2", "a learning curve")
def learning_curve(curve) -> str:
    """Exercise 5.2: ``curve(train, pool, test_texts, test_labels, sizes)`` -> {n: accuracy},
    training on the first n reviews of ``pool`` for every n in ``sizes``."""
    from datasets import Dataset

    require_callable(curve, "learning_curve")
    texts, labels = made_up_reviews(60, seed=3)
    pool = Dataset.from_dict({"text": texts, "label": labels})
    test_texts, test_labels = made_up_reviews(130, seed=4)  # more than a round 100, so that a cut shows
    trainer = _PretendTrainer(test_labels)
    sizes = [8, 24, 60]
    found = curve(trainer, pool, test_texts, test_labels, sizes)
    if len(trainer.trained) != len(sizes):
        raise Mistake(f"train was called {len(trainer.trained)} times for {len(sizes)} sizes: once per size.")
    for n, (got_texts, got_labels) in zip(sizes, trainer.trained):
        if len(got_texts) != n:
            raise Mistake(f"for n={n} train got {len(got_texts)} reviews; give it exactly n (sizes in the order given).")
        if got_texts != texts[:n]:
            raise Mistake(f"for n={n} train did not get the first {n} reviews of the pool. Use prefixes "
                          "(pool.select(range(n))): each bigger set then only adds reviews, so the curve shows "
                          "the effect of more data, not of different data.")
        if got_labels != labels[:n]:
            raise Mistake(f"for n={n} the labels given to train do not belong to its reviews: take texts and labels "
                          "from the same rows.")
    if any(batch != list(test_texts) for batch in trainer.asked) or len(trainer.asked) < len(sizes):
        sent = sorted({len(batch) for batch in trainer.asked})
        raise Mistake(f"score every size on the whole test set you were given, the same one each time: it holds "
                      f"{len(test_texts)} reviews, and your predict functions were given {sent} reviews.")
    if not isinstance(found, dict) or sorted(found) != sorted(sizes):
        raise Mistake(f"return a dict from each size to its accuracy, e.g. {{8: 0.1, 24: 0.3, 60: 0.5}}; you "
                      f"returned {found!r}.")
    for n in sizes:
        want = min(n // 4, len(test_labels)) / len(test_labels)
        if not isinstance(found[n], (int, float)) or abs(found[n] - want) > 1e-9:
            raise Mistake(f"for n={n} you report {found[n]!r}; its predictions get {want:.2f} of the test reviews "
                          "right: accuracy = correct answers / test reviews.")
    return "one training run per size on nested prefixes of the pool, all scored on the same test set."


_CASES = [  # (API $ per review, local $ per review, local fixed $), the answer
    ((0.002, 0.0001, 5.0), 2632),
    ((0.5, 0.25, 1.0), 5),
    ((0.003, 0.001, 0.0), 1),
    ((0.001, 0.001, 2.0), None),
    ((0.001, 0.002, 0.5), None),
    ((0.002, 0.0001, 1941.45), 1_021_816),   # about a million: like the "try it" cell's, with labels paid for
    ((0.5, 0.25, 2.0**30), 2**32 + 1),       # billions, and exact: the totals are equal at 2**32
]


@exercise("5.3", "when running your own model pays off")
def break_even(reviews_to_break_even) -> str:
    """Exercise 5.3: ``reviews_to_break_even(api_per_review, local_per_review, local_fixed)`` -> the
    fewest reviews for which the local total is strictly cheaper, or None when it never is."""
    require_callable(reviews_to_break_even, "reviews_to_break_even")
    for (api, local, fixed), want in _CASES:
        got = reviews_to_break_even(api, local, fixed)
        where = f"API ${api}/review; local ${local}/review plus ${fixed} up front"
        if want is None:
            if got is not None:
                raise Mistake(f"{where}: local never gets cheaper (it costs as much or more per review), so return "
                              f"None; you returned {got!r}.")
            continue
        if got is None:
            raise Mistake(f"{where}: you returned None, yet local saves ${api - local:g} on every review, so it pays "
                          f"back the ${fixed:,g} up front sooner or later, however late. A search that stops at some "
                          "number of reviews gives up too early: the equation of the two totals says where they "
                          "cross (Chapter 5, section 13).")
        if not isinstance(got, (int, float)) or isinstance(got, bool) or (isinstance(got, float) and not got.is_integer()):
            raise Mistake(f"{where}: you returned {got!r}; return a whole number of reviews.")
        got = int(got)
        if got != want:
            def costs(n):
                return f"${n * api:.4f} by API, ${fixed + n * local:.4f} locally"

            equal = math.isclose((want - 1) * api, fixed + (want - 1) * local)
            raise Mistake(f"{where}: you returned {got:,}, the answer is {want:,}. At {want - 1:,} reviews: "
                          f"{costs(want - 1)}{' (equal is not cheaper)' if equal else ''}; at {want:,}: "
                          f"{costs(want)}. Return the fewest reviews for which local is strictly cheaper.")
    return "the break-even points are right, the boundary case included, and None when local never pays off."


@exercise("5.4", "question: is the gap real?")
def question_5_4(answer) -> str:
    """Exercise 5.4, a question: ``answer_5_4`` is the letter of the answer (None until set)."""
    return multiple_choice(answer, name="answer_5_4", number="5.4", choices="abcd", digest="0b4e3bff6727b8cc",
                           reread="Chapter 5, section 9, about whether a gap is more than chance",
                           why=('Right: overlapping intervals do not settle it, and neither does the higher number. Both '
                                "answered the same reviews, so what tells them apart is where they disagree: McNemar's test "
                                '(paired_test) asks whether those reviews split more unevenly than chance would. Above p = 0.05 '
                                "the chapter says 'no difference shown', which is not 'equal'; keeping the best of several runs "
                                'would be choosing on the test set.'))
