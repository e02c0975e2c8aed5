"""Checks for Chapter 2's exercises (notebooks/exercises/02_exercises.ipynb): pre-trained models locally.

- ``threshold_classifier`` (exercise 2.1): a batch classifier that says "UNSURE" below a confidence
  threshold, against a pretend pipeline that records how it was called;
- ``pipeline_by_hand`` (exercise 2.2): tokenizer -> model -> softmax -> label, compared with a real
  ``pipeline`` around a tiny BERT with random weights (built here in a second, no download);
- ``semantic_search`` (exercise 2.3): ranking documents by cosine similarity, on fixed vectors;
- ``question_2_4`` (exercise 2.4): a multiple-choice question on the chapter; the right letter is kept
  only as a digest, and a wrong one is told where to reread.
"""

from __future__ import annotations

import numpy as np

from helpers.checks.feedback import Mistake, exercise, multiple_choice, require_callable
from helpers.checks.pretend import PretendPipeline

_SCORES = {
    "A masterpiece.": ("POSITIVE", 0.99),
    "Dull and far too long.": ("NEGATIVE", 0.97),
    "The soundtrack was fine.": ("POSITIVE", 0.62),
    "I expected more.": ("NEGATIVE", 0.80),
    "Not bad at all.": ("NEGATIVE", 0.55),
    "Two hours I will not get back.": ("NEGATIVE", 0.93),
}


@exercise("2.1", "batch classifier with a confidence threshold")
def threshold_classifier(classify_with_threshold) -> str:
    """Exercise 2.1: ``classify_with_threshold(classifier, texts, threshold, batch_size)``."""
    require_callable(classify_with_threshold, "classify_with_threshold")
    texts = list(_SCORES)
    pipe = PretendPipeline(_SCORES)
    labels = classify_with_threshold(pipe, texts, threshold=0.8, batch_size=4)
    if len(pipe.calls) == 0:
        raise Mistake("your function never called the classifier it was given.")
    if len(pipe.calls) > 1:
        raise Mistake(f"you called the classifier {len(pipe.calls)} times for {len(texts)} reviews. Pass the whole "
                      "list in one call, with batch_size=..., so the pipeline can run them in batches.")
    call = pipe.calls[0]
    if call.get("batch_size") != 4:
        raise Mistake(f"the classifier was called with batch_size={call.get('batch_size')!r}; pass the `batch_size` "
                      "argument on (classifier(texts, batch_size=batch_size, ...)).")
    if call.get("truncation") is not True:
        raise Mistake("the classifier was called without truncation=True: one review longer than the model's 512 "
                      "tokens would stop the whole batch with an error (Chapter 2, section 6).")
    if not isinstance(labels, list) or len(labels) != len(texts):
        raise Mistake(f"return a list with one label per review ({len(texts)}), not {type(labels).__name__} "
                      f"of length {len(labels) if hasattr(labels, '__len__') else '?'}.")
    for text, label in zip(texts, labels):
        name, score = _SCORES[text]
        expected = name if score >= 0.8 else "UNSURE"
        if label != expected:
            why = ("its score equals the threshold, which is confident enough (score >= threshold)" if score == 0.8 else
                   f"the classifier said {name} with score {score:.2f}, "
                   + ("below" if score < 0.8 else "at or above") + " the threshold 0.8")
            raise Mistake(f"for {text!r} you returned {label!r}, expected {expected!r}: {why}.")
    if classify_with_threshold(PretendPipeline(_SCORES), texts, threshold=0.5, batch_size=2) != [
            _SCORES[t][0] for t in texts]:
        raise Mistake("with threshold=0.5 every label here should be kept: use the `threshold` argument, "
                      "not a fixed number.")
    column = _as_column(texts)
    try:
        from_column = classify_with_threshold(PretendPipeline(_SCORES), column, threshold=0.8, batch_size=4)
    except ValueError as error:
        if "text input must be" not in str(error):
            raise
        raise Mistake(f"given the texts as a {type(column).__name__} (what reviews[\"text\"] is, as in the "
                      "\"try it\" cell below), your classifier call failed: a pipeline accepts a str or a Python "
                      "list of them, nothing else (Chapter 2, section 3).") from None
    if from_column != labels:
        raise Mistake(f"given the same texts as a {type(column).__name__} instead of a list, you returned "
                      f"{from_column!r}: the answer must not depend on the kind of sequence the texts came in.")
    return "one batched call, truncation on, UNSURE exactly below the threshold."


def _as_column(texts: list[str]):
    """``texts`` as a dataset's column gives them: a ``datasets`` Column (datasets 4 and later), not a list."""
    from datasets import Dataset

    return Dataset.from_dict({"text": list(texts)})["text"]


def tiny_classifier(seed: int = 3):
    """A tiny BERT sentiment classifier with random weights and a 30-word vocabulary, and its
    tokenizer, built in memory (no download): the same classes as Chapter 2's model, 4,000 parameters."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    words = ("[PAD] [UNK] [CLS] [SEP] [MASK] i loved hated this movie film it was great awful boring fun the a "
             "not at all plot acting ! . , ##s ##ing").split()
    tokenizer = BertTokenizerFast(vocab={w: i for i, w in enumerate(words)})
    torch.manual_seed(seed)
    config = BertConfig(vocab_size=len(words), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=64, initializer_range=0.5, num_labels=2,
                        id2label={0: "NEGATIVE", 1: "POSITIVE"}, label2id={"NEGATIVE": 0, "POSITIVE": 1})
    return tokenizer, BertForSequenceClassification(config).eval()


_TEXTS = ["I loved this movie!", "boring", "it was not fun at all, the plot was awful and the acting boring",
          "great film", "I hated the acting."]


@exercise("2.2", "the pipeline, by hand")
def pipeline_by_hand(predict_by_hand) -> str:
    """Exercise 2.2: ``predict_by_hand(tokenizer, model, texts)`` -> [(label, probability), ...],
    compared with ``pipeline("text-classification")`` on a tiny random BERT."""
    from transformers import pipeline

    require_callable(predict_by_hand, "predict_by_hand")
    tokenizer, model = tiny_classifier()
    reference = pipeline("text-classification", model=model, tokenizer=tokenizer, device="cpu")(_TEXTS)
    try:
        answers = predict_by_hand(tokenizer, model, _TEXTS)
    except ValueError as error:
        if "pad" in str(error).lower() or "length" in str(error).lower():
            raise Mistake("texts of different lengths cannot be stacked into one tensor: tokenize with padding=True "
                          f"(and return_tensors='pt'). The tokenizer said: {str(error)[:120]}") from None
        raise
    answers = list(answers)
    if len(answers) != len(_TEXTS):
        raise Mistake(f"{len(_TEXTS)} texts in, {len(answers)} answers out: return one (label, probability) per text.")
    wrong = []
    for text, answer, expected in zip(_TEXTS, answers, reference):
        try:
            label, probability = answer
        except (TypeError, ValueError):
            raise Mistake(f"the answer for {text!r} is {answer!r}; return a (label, probability) pair.") from None
        probability = float(probability)
        if isinstance(label, int) or str(label).isdigit():
            raise Mistake(f"you returned the class number {label!r}; return its name, model.config.id2label[number].")
        if not 0.0 <= probability <= 1.0:
            raise Mistake(f"your probability for {text!r} is {probability:.3f}, which is not a probability: apply "
                          "torch.softmax(logits, dim=-1) to the logits.")
        if label != expected["label"] or abs(probability - expected["score"]) > 1e-4:
            wrong.append((text, label, probability, expected))
    if wrong:
        text, label, probability, expected = wrong[0]
        longest = max(_TEXTS, key=len)
        if longest not in [w[0] for w in wrong]:
            hint = ("only the longest text, which needs no padding, is right: the padding was read as words. Pass "
                    "the attention_mask to the model too: model(**encoded).")
        elif label != expected["label"]:
            hint = "take the argmax of the probabilities, and the label's name from model.config.id2label."
        else:
            hint = "apply softmax over the last dimension of the logits (the classes), then take the winner's probability."
        raise Mistake(f"for {text!r} you said {label!r} with probability {probability:.4f}; the pipeline said "
                      f"{expected['label']!r} with {expected['score']:.4f}. Hint: {hint}")
    return "tokenizer -> model -> softmax -> label gives exactly the pipeline's answers, padding included."


_QUERY = np.array([1.0, 0.0, 0.0])
_DOCUMENTS = np.array([
    [0.9, 0.1, 0.0],    # 0: nearly the query's direction
    [0.0, 1.0, 0.0],    # 1: unrelated
    [5.0, 5.0, 5.0],    # 2: long, but points elsewhere: first by dot product, not by cosine
    [0.7, 0.7, 0.0],    # 3: half-way
    [-1.0, 0.0, 0.0],   # 4: the opposite
])


def _cosine(a, b) -> float:
    return float(np.dot(a, b) / np.sqrt(np.dot(a, a) * np.dot(b, b)))


@exercise("2.3", "semantic search by cosine similarity")
def semantic_search(search) -> str:
    """Exercise 2.3: ``search(query_vector, document_vectors, k)`` -> indices, most similar first."""
    require_callable(search, "search")
    query, documents = _QUERY.copy(), _DOCUMENTS.copy()
    found = search(query, documents, 3)
    if not np.array_equal(documents, _DOCUMENTS) or not np.array_equal(query, _QUERY):
        raise Mistake("your function changed the vectors it was given (normalised them in place?): compute new "
                      "arrays instead, e.g. documents / np.linalg.norm(documents, axis=1, keepdims=True).")
    found = [int(i) for i in np.asarray(found).ravel()]
    if len(found) != 3:
        raise Mistake(f"with k=3 you returned {len(found)} indices: return the k best.")
    best = sorted(range(len(_DOCUMENTS)), key=lambda i: -_cosine(_QUERY, _DOCUMENTS[i]))[:3]
    if sorted(found) == sorted(best) and found == best[::-1]:
        raise Mistake(f"you returned {found}: the right 3 documents, but the least similar of them first. Sort by "
                      "similarity, highest first (np.argsort sorts in ascending order).")
    if found[0] == 2:
        raise Mistake("you ranked document 2 first: it is long ([5, 5, 5]) but points elsewhere. That is the dot "
                      "product; cosine similarity divides by both vectors' lengths.")
    if found[0] == 4:
        raise Mistake(f"you returned {found}: the least similar first (document 4 points the opposite way). Sort by "
                      "similarity, highest first (np.argsort sorts in ascending order).")
    if found != best:
        raise Mistake(f"you returned {found}: not the 3 documents most similar to the query by cosine similarity, "
                      "most similar first. Print your scores: cosine similarities lie between -1 and 1, and 1 means "
                      "a document points exactly the query's way (Chapter 2, section 5c).")
    if [int(i) for i in np.asarray(search(query, documents, 1)).ravel()] != [0]:
        raise Mistake("with k=1 return only the single best match: use the `k` argument.")
    return "cosine similarity, not dot product; best first; the inputs left untouched."


@exercise("2.4", "question: a confident wrong answer")
def question_2_4(answer) -> str:
    """Exercise 2.4, a question: ``answer_2_4`` is the letter of the answer (None until set)."""
    return multiple_choice(answer, name="answer_2_4", number="2.4", choices="abcd", digest="0a50663395802f98",
                           reread="Chapter 2, section 6 (where a pre-trained model falls short), about long reviews",
                           why=("Right: truncation=True keeps the first 512 tokens, the model's limit, and silently drops "
                                "the rest: a verdict at the end is never read. Overlapping windows (the chapter's fix) or a "
                                'longer-context model see it. A score says how sure the model is about what it read, not that it '
                                'read everything, nor how often it is right.'))
