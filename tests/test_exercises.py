"""The exercises: every solution passes its checks, every blank fails them, the checks catch typical
mistakes with a specific message, and the learners' notebooks are exactly what the sources give.

The notebooks are executed in this process (``course_tools.exercises.execute``: an IPython shell,
cell by cell, as Run All does) to keep the suite fast; one learner notebook also runs in a real
Jupyter kernel, to prove the verdicts show there too.
"""

from __future__ import annotations

import copy
import math
import re

import nbformat
import pytest
import torch

from course_tools import exercises
from course_tools.harness import clean_notebook, course_notebooks
from helpers.paths import REPO_ROOT
from helpers.checks import chapter01, chapter02, chapter03, chapter04, chapter05, feedback

SOURCES = exercises.sources()
MODULES = {"01": chapter01, "02": chapter02, "03": chapter03, "04": chapter04, "05": chapter05}
# What the "try it" cells read offline (the blanks never reach them).
KIT_ASSETS = {"02": ["sentiment-minilm-rt", "minilm-l6-v2", "rotten-tomatoes"],
              "03": ["minilm-l6-v2", "rotten-tomatoes"], "05": ["rotten-tomatoes", "tiktoken-encodings"]}


def skip_offline_without_the_kit(source, parameters) -> None:
    """Offline, an exercise notebook's data come from the kit: without it (make unit before make kit),
    skip, saying so; make test builds the kit first, and CI's is always there."""
    from helpers.kit import is_built

    missing = [a for a in KIT_ASSETS.get(source.name[:2], []) if not is_built(a)]
    if parameters["HUB_MODE"] == "offline" and missing:
        pytest.skip(f"offline without the kit's {missing} (make kit)")


def expected_exercises(source, questions: bool = True) -> list[str]:
    """The exercise numbers whose checks a source calls, in order (``checks.name(...)`` cells); without
    ``questions``, only those that ask for code (a question's check is named ``question_N_M``)."""
    module = MODULES[source.name[:2]]
    names = re.findall(r"^checks\.(\w+)\(", source.read_text(encoding="utf-8"), re.M)
    return [getattr(module, name).exercise for name in names if questions or not name.startswith("question_")]


@pytest.fixture(scope="module")
def parameters():
    """What papermill would inject: the smoke profile, and the hub mode decided once for all."""
    from helpers.hub import decide_hub_mode

    return {"PROFILE": "smoke", "HUB_MODE": decide_hub_mode("auto").name}


@pytest.fixture(autouse=True)
def _one_thread(monkeypatch):
    """The notebooks' setup_chapter gives torch every core; here one thread does these tiny runs as fast,
    and never spin-waits for a busy second core (make test runs next to other work)."""
    import helpers.environment

    threads = torch.get_num_threads()
    monkeypatch.setattr(helpers.environment, "available_cpus", lambda *args, **kwargs: 1)
    yield
    torch.set_num_threads(threads)


# ---------------------------------------------------------------- one source, two notebooks

def test_every_chapter_has_its_exercises():
    chapters = sorted({p.name[:2] for p in course_notebooks()})  # a bonus notebook (04b_) has none of its own
    assert [s.name for s in SOURCES] == [f"{n}_exercises.py" for n in chapters]
    for source in SOURCES:
        numbers = expected_exercises(source)
        assert len(numbers) >= 3 and numbers == sorted(set(numbers)), (source.name, numbers)
        coding = expected_exercises(source, questions=False)
        assert len(coding) >= 3 and source.read_text(encoding="utf-8").count(exercises.BEGIN) >= len(coding), source.name


def test_learner_notebooks_are_what_the_sources_give():
    """Drift: regenerating gives byte-identical notebooks (else: edit solutions/, run `make exercises`)."""
    differ = exercises.build(check=True)
    assert not differ, f"{[p.name for p in differ]} differ from solutions/: run `make exercises`"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_learners_see_exercises_not_solutions(source):
    learner = exercises.learner_path(source)
    text = learner.read_text(encoding="utf-8")
    assert "BEGIN SOLUTION" not in text and "Notes for teachers" not in text
    solution_lines = set()
    for region in re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", source.read_text(encoding="utf-8"), re.S):
        solution_lines |= {line.strip() for line in region.splitlines() if len(line.strip()) > 25}
    code = "\n".join(c.source for c in nbformat.read(learner, as_version=4).cells if c.cell_type == "code")
    leaked = [line for line in solution_lines if line in code]
    assert not leaked, f"solution code in {learner.name}: {leaked[:2]}"
    assert code.count(exercises.STUB[1]) == len(re.findall(re.escape(exercises.BEGIN), source.read_text(encoding="utf-8")))


def _statements(text: str) -> list[str]:
    """The lines of Python that are code, stripped (no blank lines, no comments)."""
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


def test_solutions_live_only_in_solutions():
    """No module a learner can open (helpers/, the checks among them) holds a solution: no solution line
    over 25 characters, and no two solution lines in a row, appear there. A check verifies an answer by
    what it does, or against a reference worked out another way; reading it is not the solution."""
    helpers = {path: path.read_text(encoding="utf-8") for path in sorted((REPO_ROOT / "helpers").rglob("*.py"))}
    pairs = {path: set(zip(_statements(text), _statements(text)[1:])) for path, text in helpers.items()}
    leaks = []
    for source in SOURCES:
        for region in re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", source.read_text(encoding="utf-8"), re.S):
            lines = _statements(region)
            for path, text in helpers.items():
                leaks += [(source.name, path.name, line) for line in lines if len(line) > 25 and line in text]
                leaks += [(source.name, path.name, pair) for pair in zip(lines, lines[1:]) if pair in pairs[path]]
    assert not leaks, f"solution code outside solutions/ (source, module, code): {leaks[:3]}"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_learner_notebooks_are_clean_and_start_like_the_chapters(source):
    nb = nbformat.read(exercises.learner_path(source), as_version=4)
    assert nbformat.writes(clean_notebook(copy.deepcopy(nb))) == nbformat.writes(nb), "outputs or stray metadata"
    code = [c for c in nb.cells if c.cell_type == "code"]
    chapter_first = next(c for c in nbformat.read(course_notebooks()[0], as_version=4).cells if c.cell_type == "code")
    assert code[0].source == chapter_first.source, (
        "the first cell must be the chapters' (on Colab it installs the course): copy it into "
        f"solutions/{source.name}, then run `make exercises` (`make links` does both after an address change)")
    assert "parameters" in code[1].metadata.get("tags", []) and "setup_chapter(" in code[2].source


def test_a_region_must_be_closed_and_inside_a_function():
    assert exercises.blank_out("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n", "x") == \
        "def f():\n    # YOUR CODE HERE\n    raise NotImplementedError()\n"
    for broken in ("### BEGIN SOLUTION\nx = 1\n### END SOLUTION", "def f():\n    ### BEGIN SOLUTION\n    return 1",
                   "def f():\n    return 1\n    ### END SOLUTION"):
        with pytest.raises(exercises.SourceError):
            exercises.blank_out(broken, "x")


# ---------------------------------------------------------------- solutions pass, blanks fail

@pytest.mark.slow  # seconds each, with the real models of the "try it" cells: make test, not make unit
@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_every_solution_passes_its_checks(source, parameters):
    skip_offline_without_the_kit(source, parameters)
    results, error = exercises.execute(exercises.solution_notebook(source), parameters)
    assert error is None, f"{source.name} stopped: {error!r}"
    assert [r.exercise for r in results] == expected_exercises(source)
    assert all(r.passed for r in results), [str(r) for r in results if not r.passed]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_every_blank_fails_its_checks_and_run_all_goes_on(source, parameters):
    skip_offline_without_the_kit(source, parameters)  # Run All loads the same data
    nb = nbformat.read(exercises.learner_path(source), as_version=4)
    results, error = exercises.execute(nb, parameters)
    assert error is None, f"Run All stopped in the learners' {source.stem}: {error!r}"
    assert [r.exercise for r in results] == expected_exercises(source)
    assert all(r.status == "not done" and ("NotImplementedError" in r.message or "is still None" in r.message)
               for r in results), [str(r) for r in results]


@pytest.mark.slow  # a kernel's start-up and imports: make test, not make unit
def test_in_a_jupyter_kernel_a_blank_check_prints_its_verdict(tmp_path):
    """The real path: a kernel, Run All, the verdict printed under the check cell (no Out[n])."""
    from nbclient import NotebookClient

    nb = nbformat.read(exercises.learner_path(SOURCES[0]), as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    verdicts = [c.outputs for c in nb.cells if c.cell_type == "code" and c.source.startswith("checks.")]
    assert len(verdicts) == len(expected_exercises(SOURCES[0]))
    for outputs in verdicts:
        assert [o.output_type for o in outputs] == ["stream"], outputs
        assert outputs[0].text.startswith("✗ Exercise 1.") and "not done yet" in outputs[0].text


# ---------------------------------------------------------------- the checks catch real mistakes

def _ask_never_retries(client, model, schema, instructions, text, max_attempts=3):
    import json

    reply = client.chat.completions.create(model=model, messages=[
        {"role": "system", "content": instructions + json.dumps(schema.model_json_schema())},
        {"role": "user", "content": text}])
    try:
        return schema.model_validate_json(reply.choices[0].message.content)
    except Exception:
        return None


def _ask_same_request(client, model, schema, instructions, text, max_attempts=3):
    import json

    from helpers.llm_api import extract_json

    messages = [{"role": "system", "content": instructions + json.dumps(schema.model_json_schema())},
                {"role": "user", "content": text}]
    for _ in range(max_attempts):
        answer = client.chat.completions.create(model=model, messages=messages).choices[0].message.content
        try:
            return schema.model_validate_json(extract_json(answer) or answer)
        except Exception:
            pass
    return None


def _ask_without_schema(client, model, schema, instructions, text, max_attempts=3):
    reply = client.chat.completions.create(model=model, messages=[{"role": "user", "content": text}])
    return schema.model_validate_json(reply.choices[0].message.content)


def _backoff_catches_everything(call, max_attempts=4, first_wait=1.0, sleep=None):
    wait = first_wait
    for attempt in range(max_attempts):
        try:
            return call()
        except Exception:
            if attempt == max_attempts - 1:
                raise
            sleep(wait)
            wait *= 2


def _backoff_constant(call, max_attempts=4, first_wait=1.0, sleep=None):
    import openai

    for attempt in range(max_attempts):
        try:
            return call()
        except openai.RateLimitError:
            if attempt == max_attempts - 1:
                raise
            sleep(first_wait)


class _ChatForgets:
    def __init__(self, client, model, system, max_turns=3):
        self.client, self.model, self.history = client, model, []

    def ask(self, question):
        return self.client.chat.completions.create(
            model=self.model, messages=[{"role": "user", "content": question}]).choices[0].message.content


class _ChatUntrimmed(_ChatForgets):
    def __init__(self, client, model, system, max_turns=3):
        super().__init__(client, model, system)
        self.system = system

    def ask(self, question):
        messages = [{"role": "system", "content": self.system}, *self.history, {"role": "user", "content": question}]
        answer = self.client.chat.completions.create(model=self.model, messages=messages).choices[0].message.content
        self.history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]
        return answer


class _ChatMinusZero(_ChatUntrimmed):
    def __init__(self, client, model, system, max_turns=3):
        super().__init__(client, model, system)
        self.max_turns = max_turns

    def ask(self, question):
        recent = self.history[-2 * self.max_turns:]  # -0: the whole history
        messages = [{"role": "system", "content": self.system}, *recent, {"role": "user", "content": question}]
        answer = self.client.chat.completions.create(model=self.model, messages=messages).choices[0].message.content
        self.history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]
        return answer


def _one_by_one(classifier, texts, threshold=0.8, batch_size=16):
    return [p["label"] if p["score"] >= threshold else "UNSURE"
            for t in texts for p in classifier(t, batch_size=batch_size, truncation=True)]


def _strictly_above(classifier, texts, threshold=0.8, batch_size=16):
    return [p["label"] if p["score"] > threshold else "UNSURE"
            for p in classifier(list(texts), batch_size=batch_size, truncation=True)]


def _passes_texts_on(classifier, texts, threshold=0.8, batch_size=16):
    return [p["label"] if p["score"] >= threshold else "UNSURE"
            for p in classifier(texts, batch_size=batch_size, truncation=True)]


def _by_hand_without_mask(tokenizer, model, texts):
    encoded = tokenizer(list(texts), padding=True, return_tensors="pt")
    with torch.no_grad():
        probabilities = torch.softmax(model(input_ids=encoded["input_ids"]).logits, dim=-1)
    return [(model.config.id2label[int(p.argmax())], float(p.max())) for p in probabilities]


def _by_hand_logits(tokenizer, model, texts):
    encoded = tokenizer(list(texts), padding=True, return_tensors="pt")
    with torch.no_grad():
        logits = model(**encoded).logits
    return [(model.config.id2label[int(row.argmax())], float(row.max())) for row in logits]


def _search_dot(query, documents, k=3):
    return list((-(documents @ query)).argsort()[:k])


def _search_in_place(query, documents, k=3):
    import numpy as np

    documents /= np.linalg.norm(documents, axis=1, keepdims=True)
    return list((-(documents @ (query / np.linalg.norm(query)))).argsort()[:k])


def _search_ascending(query, documents, k=3):
    import numpy as np

    scores = (documents / np.linalg.norm(documents, axis=1, keepdims=True)) @ (query / np.linalg.norm(query))
    return list(np.argsort(scores)[-k:])


def _slice_random(dataset, n_per_label, seed=0):
    return dataset.shuffle(seed=seed).select(range(2 * n_per_label))


def _slice_unshuffled(dataset, n_per_label, seed=0):
    from datasets import concatenate_datasets

    parts = [dataset.filter(lambda e: e["label"] == label).shuffle(seed=seed) for label in (0, 1)]
    if min(len(p) for p in parts) < n_per_label:
        raise ValueError("too few")
    return concatenate_datasets([p.select(range(n_per_label)) for p in parts])


def _slice_first_n(dataset, n_per_label, seed=0):
    from datasets import concatenate_datasets

    parts = [dataset.filter(lambda e: e["label"] == label) for label in (0, 1)]
    if min(len(p) for p in parts) < n_per_label:
        raise ValueError("too few")
    return concatenate_datasets([p.select(range(n_per_label)) for p in parts]).shuffle(seed=seed)


def _slice_from_the_start(dataset, n_per_label, seed=0):
    from datasets import concatenate_datasets

    parts = [dataset.filter(lambda e: e["label"] == label) for label in (0, 1)]
    if min(len(p) for p in parts) < n_per_label:
        raise ValueError("too few")
    early = [p.select(range(min(len(p), 2 * n_per_label))).shuffle(seed=seed) for p in parts]
    return concatenate_datasets([p.select(range(n_per_label)) for p in early]).shuffle(seed=seed)


def _freeze_by_name(model):
    for name, parameter in model.named_parameters():
        if name.startswith("bert."):
            parameter.requires_grad = False
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def _freeze_everything(model):
    for parameter in model.parameters():
        parameter.requires_grad = False
    return 0


def _step_without_zero_grad(model, batch, optimizer):
    loss = model(**batch).loss
    loss.backward()
    optimizer.step()
    return loss.item()


def _step_returns_tensor(model, batch, optimizer):
    loss = model(**batch).loss
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    return loss


def _top_k_uniform(logits, k, generator=None):
    top = torch.topk(logits, min(k, logits.size(-1)), dim=-1).indices
    pick = torch.randint(0, top.size(-1), (logits.size(0), 1), generator=generator)
    return top.gather(1, pick).squeeze(-1)


def _top_k_ignored(logits, k, generator=None):
    return torch.multinomial(torch.softmax(logits, dim=-1), 1, generator=generator).squeeze(-1)


def _top_k_in_place(logits, k, generator=None):
    kth = torch.topk(logits, min(k, logits.size(-1)), dim=-1).values[:, [-1]]
    logits.masked_fill_(logits < kth, float("-inf"))
    return torch.multinomial(torch.softmax(logits, dim=-1), 1, generator=generator).squeeze(-1)


def _top_k_last_row_threshold(logits, k, generator=None):
    kth = torch.topk(logits, min(k, logits.size(-1)), dim=-1).values[-1, -1]
    kept = logits.masked_fill(logits < kth, float("-inf"))
    return torch.multinomial(torch.softmax(kept, dim=-1), 1, generator=generator).squeeze(-1)


def _top_k_first_row_threshold(logits, k, generator=None):
    kth = torch.topk(logits, min(k, logits.size(-1)), dim=-1).values[0, -1]
    kept = logits.masked_fill(logits < kth, float("-inf"))
    return torch.multinomial(torch.softmax(kept, dim=-1), 1, generator=generator).squeeze(-1)


def _top_k_squeezed(logits, k, generator=None):
    kth = torch.topk(logits, min(k, logits.size(-1)), dim=-1).values[:, [-1]]
    kept = logits.masked_fill(logits < kth, float("-inf"))
    return torch.multinomial(torch.softmax(kept, dim=-1), 1, generator=generator).squeeze()


def _top_k_column(logits, k, generator=None):
    kth = torch.topk(logits, min(k, logits.size(-1)), dim=-1).values[:, [-1]]
    kept = logits.masked_fill(logits < kth, float("-inf"))
    return torch.multinomial(torch.softmax(kept, dim=-1), 1, generator=generator)


def _warmup_from_zero(step, max_steps, peak_lr, warmup_steps, min_lr):
    if step < warmup_steps:
        return peak_lr * step / warmup_steps
    progress = min(1.0, (step - warmup_steps) / max(1, max_steps - warmup_steps))
    return min_lr + 0.5 * (1 + math.cos(math.pi * progress)) * (peak_lr - min_lr)


def _extend_in_place(model, new_block_size):
    model.config.block_size = new_block_size
    return model


def _extend_untrained(model, new_block_size):
    import dataclasses

    from helpers.gpt import GPT

    return GPT(dataclasses.replace(model.config, block_size=new_block_size))


def _attention(q, k, v, window=None, scale=None, after_softmax=False, extra=0):
    T = q.size(1)
    scores = q @ k.transpose(1, 2) * (q.size(-1) ** -0.5 if scale is None else scale)
    allowed = torch.ones(T, T, dtype=torch.bool).tril()
    if window is not None:
        allowed &= ~torch.ones(T, T, dtype=torch.bool).tril(-(window + extra))
    if after_softmax:
        return torch.softmax(scores, dim=-1).masked_fill(~allowed, 0.0) @ v
    return torch.softmax(scores.masked_fill(~allowed, float("-inf")), dim=-1) @ v


def _attention_no_mask(q, k, v, window=None):
    return torch.softmax(q @ k.transpose(1, 2) / q.size(-1) ** 0.5, dim=-1) @ v


def _attention_unscaled(q, k, v, window=None):
    return _attention(q, k, v, window, scale=1.0)


def _attention_mask_after_softmax(q, k, v, window=None):
    return _attention(q, k, v, window, after_softmax=True)


def _attention_window_too_wide(q, k, v, window=None):
    return _attention(q, k, v, window, extra=1)  # s >= t - window: window + 1 positions


def _attention_window_ignored(q, k, v, window=None):
    return _attention(q, k, v)


class _LoRA(torch.nn.Module):
    freeze, a_scale, b_scale, scaled = True, 0.1, 0.0, True

    def __init__(self, base, r=4, alpha=8):
        super().__init__()
        self.base = base
        for parameter in base.parameters():
            parameter.requires_grad = not self.freeze
        self.lora_A = torch.nn.Parameter(torch.randn(r, base.in_features) * self.a_scale)
        self.lora_B = torch.nn.Parameter(torch.randn(base.out_features, r) * self.b_scale)
        self.scaling = alpha / r if self.scaled else 1.0

    def forward(self, x):
        return self.base(x) + self.scaling * torch.nn.functional.linear(torch.nn.functional.linear(x, self.lora_A),
                                                                        self.lora_B)


class _LoRANotFrozen(_LoRA):
    freeze = False


class _LoRABothRandom(_LoRA):
    b_scale = 0.1


class _LoRABothZero(_LoRA):
    a_scale = 0.0


class _LoRAUnscaled(_LoRA):
    scaled = False


def _approach_returns_model(texts, labels):
    from sklearn.dummy import DummyClassifier

    return DummyClassifier().fit(list(texts), list(labels))


def _approach_names(texts, labels):
    return lambda batch: ["positive" for _ in batch]


def _approach_majority(texts, labels):
    return lambda batch: [1 for _ in batch]


def _curve_reshuffled(train, pool, test_texts, test_labels, sizes):
    curve = {}
    for i, n in enumerate(sizes):
        part = pool.shuffle(seed=i).select(range(n))
        predicted = train(part["text"], part["label"])(list(test_texts))
        curve[n] = sum(p == t for p, t in zip(predicted, test_labels)) / len(test_labels)
    return curve


def _curve_first_100(train, pool, test_texts, test_labels, sizes):
    curve = {}
    for n in sizes:
        part = pool.select(range(n))
        predicted = train(part["text"], part["label"])(list(test_texts)[:100])
        curve[n] = sum(p == t for p, t in zip(predicted, test_labels)) / len(predicted)
    return curve


def _break_even_search(api, local, fixed):
    for n in range(1, 10**6 + 1):
        if fixed + n * local < n * api:
            return n
    return None


def _break_even_ceil(api, local, fixed):
    return math.ceil(fixed / (api - local)) if api > local else None


def _break_even_no_none(api, local, fixed):
    return math.floor(fixed / (api - local)) + 1 if api != local else 10**9


MISTAKES = [
    # A question's wrong letter: only where to reread, never the answer.
    (chapter01.question_1_4, "a", "Reread Chapter 1, section 5"),
    (chapter02.question_2_4, "d", "Reread Chapter 2, section 6"),
    (chapter03.question_3_5, "c", "Reread Chapter 3, section 7"),
    (chapter04.question_4_5, "b", "Reread Chapter 4, section 3"),
    (chapter05.question_5_4, "a", "Reread Chapter 5, section 9"),
    (chapter04.question_4_5, 3, "set it to one letter, as a string"),
    (chapter01.json_with_retry, _ask_never_retries, "did not ask again"),
    (chapter01.json_with_retry, _ask_same_request, "sent the same request again"),
    (chapter01.json_with_retry, _ask_without_schema, "never mentions the field"),
    (chapter01.backoff, _backoff_catches_everything, "retrying cannot fix a bad key"),
    (chapter01.backoff, _backoff_constant, "expected [0.25, 0.5]"),
    (chapter01.chat_memory, _ChatForgets, "does not start with the system message"),
    (chapter01.chat_memory, _ChatUntrimmed, "with max_turns=2, request 4 sent 8 messages"),
    (chapter01.chat_memory, _ChatMinusZero, "with max_turns=0, request 3 sent 6 messages"),
    (chapter02.threshold_classifier, _one_by_one, "you called the classifier 6 times"),
    (chapter02.threshold_classifier, _strictly_above, "equals the threshold"),
    (chapter02.threshold_classifier, _passes_texts_on, "given the texts as a Column"),
    (chapter02.pipeline_by_hand, _by_hand_without_mask, "only the longest text"),
    (chapter02.pipeline_by_hand, _by_hand_logits, "not a probability"),
    (chapter02.semantic_search, _search_dot, "That is the dot product"),
    (chapter02.semantic_search, _search_in_place, "changed the vectors"),
    (chapter02.semantic_search, _search_ascending, "the right 3 documents, but the least similar of them first"),
    (chapter03.balanced_slice, _slice_random, "take n_per_label of each"),
    (chapter03.balanced_slice, _slice_unshuffled, "all have the same label"),
    (chapter03.balanced_slice, _slice_first_n, "the first 20 negative reviews of the dataset, only in another order"),
    (chapter03.balanced_slice, _slice_from_the_start, "come from the first half"),
    (chapter03.frozen_encoder, _freeze_by_name, "use model.base_model"),
    (chapter03.frozen_encoder, _freeze_everything, "belongs to the new classification head"),
    (chapter03.training_step, _step_without_zero_grad, "call optimizer.zero_grad() every step"),
    (chapter03.training_step, _step_returns_tensor, "return loss.item()"),
    (chapter03.lora_layer, _LoRANotFrozen, "of `base` is still trainable"),
    (chapter03.lora_layer, _LoRABothRandom, "does not compute what `base` computes"),
    (chapter03.lora_layer, _LoRABothZero, "nothing learns"),
    (chapter03.lora_layer, _LoRAUnscaled, "you left out the scaling"),
    (chapter04.top_k_sampling, _top_k_uniform, "not uniformly"),
    (chapter04.top_k_sampling, _top_k_ignored, "which is outside the top 3"),
    (chapter04.top_k_sampling, _top_k_in_place, "changed the logits"),
    (chapter04.top_k_sampling, _top_k_last_row_threshold, "cut at the other row's k-th largest logit"),
    (chapter04.top_k_sampling, _top_k_first_row_threshold, "no finite logit left"),
    (chapter04.top_k_sampling, _top_k_squeezed, "for logits of shape (1, 10) you returned shape ()"),
    (chapter04.top_k_sampling, _top_k_column, "you returned shape (2000, 1)"),
    (chapter04.warmup_schedule, _warmup_from_zero, "A rate of 0 wastes the first step: reread"),
    (chapter04.longer_context, _extend_in_place, "you changed the model you were given"),
    (chapter04.longer_context, _extend_untrained, "logits differ from the old model's"),
    (chapter04.windowed_attention, _attention_no_mask, "peeked at the future"),
    (chapter04.windowed_attention, _attention_unscaled, "divide the scores by the square root"),
    (chapter04.windowed_attention, _attention_mask_after_softmax, "before the softmax, not the weights after"),
    (chapter04.windowed_attention, _attention_window_too_wide, "with window=3 each position attended to 4 positions"),
    (chapter04.windowed_attention, _attention_window_ignored, "the same as without a window"),
    (chapter05.new_approach, _approach_returns_model, "return a function"),
    (chapter05.new_approach, _approach_names, "labels 0 (negative) or 1"),
    (chapter05.new_approach, _approach_majority, "it should learn from the labels"),
    (chapter05.learning_curve, _curve_reshuffled, "did not get the first"),
    (chapter05.learning_curve, _curve_first_100, "your predict functions were given [100] reviews"),
    (chapter05.break_even, _break_even_ceil, "equal is not cheaper"),
    (chapter05.break_even, _break_even_no_none, "local never gets cheaper"),
    (chapter05.break_even, _break_even_search, "gives up too early"),
]


@pytest.mark.parametrize("check, wrong, says", MISTAKES, ids=lambda x: getattr(x, "__name__", repr(x)[:20]))
def test_checks_catch_typical_mistakes_with_a_specific_message(check, wrong, says):
    result = check(wrong)
    assert result.status == "wrong" and not result, str(result)
    assert says in result.message, str(result)


def test_a_check_reports_a_crash_in_the_learners_code_and_never_raises():
    def sample_top_k(logits, k, generator=None):
        return logits.topk(k).indices[:, 99]

    result = chapter04.top_k_sampling(sample_top_k)
    assert result.status == "error" and "IndexError" in result.message and "sample_top_k" in result.message
    assert chapter04.top_k_sampling(42).status == "wrong"  # not a function
    assert feedback.results()[-1] is not result and not feedback.passed("4.1")


def test_every_check_is_documented_with_its_chapter_and_exercise():
    for number, module in MODULES.items():
        checks = [f for f in vars(module).values() if callable(f) and hasattr(f, "exercise")]
        assert len(checks) >= 3
        for check in checks:
            assert check.__doc__ and f"Exercise {check.exercise}" in check.__doc__, check.__name__
            assert check.exercise.startswith(str(int(number)) + ".")
        assert f"notebooks/exercises/{number}_exercises.ipynb" in module.__doc__


def test_a_question_says_not_done_wrong_or_why_and_never_gives_the_letter_away():
    """A question's check: None is "not done yet"; a wrong letter gets where to reread and no other letter;
    exactly one letter passes, and the check's source never names it."""
    import inspect

    for module in MODULES.values():
        for check in [f for name, f in vars(module).items() if name.startswith("question_") and callable(f)]:
            assert check(None).status == "not done"
            verdicts = {letter: check(letter) for letter in "abcd"}
            right = [letter for letter, verdict in verdicts.items() if verdict.passed]
            assert len(right) == 1, check.__name__
            assert check(right[0].upper() + " ").passed  # case and spaces do not matter
            for letter, verdict in verdicts.items():
                if letter != right[0]:
                    assert "Reread" in verdict.message and f"{right[0]!r}" not in verdict.message
            assert f'"{right[0]}"' not in inspect.getsource(check) and f"'{right[0]}'" not in inspect.getsource(check)
