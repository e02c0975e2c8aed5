"""Checks for Chapter 4's exercises (notebooks/exercises/04_exercises.ipynb): a GPT from scratch.

- ``top_k_sampling`` (exercise 4.1): 2,000 draws from fixed logits must stay in the top k and follow
  the softmax of the kept logits;
- ``warmup_schedule`` (exercise 4.2): a learning rate with linear warmup and cosine decay, compared
  step by step with the course's own ``helpers.training.lr_at``;
- ``longer_context`` (exercise 4.3): a trained GPT grown to a longer context without losing what it
  learned; on a tiny ``helpers.gpt.GPT`` with random weights;
- ``windowed_attention`` (exercise 4.4): causal self-attention on plain tensors, with a sliding window:
  changing later positions must not move earlier outputs, and the result must match attention worked
  out position by position;
- ``question_4_5`` (exercise 4.5): a multiple-choice question on the chapter; the right letter is kept
  only as a digest, and a wrong one is told where to reread.
"""

from __future__ import annotations

import math

from helpers.checks.feedback import Mistake, exercise, multiple_choice, require_callable

# Row 0 lies higher than row 1 (softmax does not mind), so that a threshold taken from one row and used
# for the other keeps the wrong tokens: 5 of row 0 with row 1's, none of row 1 with row 0's.
_LOGITS = [[1.0, 2.0, 4.0, 0.0, 3.5, 1.5, -1.0, 3.0, 1.2, 2.5],
           [2.2, -0.5, 0.1, 0.3, -1.0, 1.8, 0.0, -3.0, 0.9, 2.6]]


def _ids(returned, rows: int):
    import torch

    if not isinstance(returned, torch.Tensor):
        raise Mistake(f"you returned a {type(returned).__name__}; return a tensor of token ids, one per row.")
    if returned.dtype.is_floating_point:
        raise Mistake(f"you returned a {returned.dtype} tensor; token ids are integers (torch.multinomial "
                      "returns them).")
    if tuple(returned.shape) != (rows,):
        raise Mistake(f"for logits of shape ({rows}, 10) you returned shape {tuple(returned.shape)}; return one id "
                      f"per row, shape ({rows},), as the docstring says: mind which dimensions you squeeze (or "
                      "forget to), and try a batch of one row too.")
    return returned.reshape(-1).tolist()


@exercise("4.1", "top-k sampling")
def top_k_sampling(sample_top_k) -> str:
    """Exercise 4.1: ``sample_top_k(logits, k, generator)`` -> one token id per row of ``logits``
    (batch, vocab), drawn from the softmax of the k largest logits."""
    import torch

    require_callable(sample_top_k, "sample_top_k")
    logits = torch.tensor(_LOGITS)
    draws = 1000
    many = logits.repeat(draws, 1)  # rows alternate: row 0, row 1, row 0, ...
    before = many.clone()
    try:
        ids = _ids(sample_top_k(many, 3, generator=torch.Generator().manual_seed(0)), len(many))
    except RuntimeError as error:
        if "probability" not in str(error):
            raise
        raise Mistake(f"torch.multinomial refused a row ({str(error)[:80]}): after your masking a row had no finite "
                      "logit left. Did one row's threshold decide for another? Each row keeps its own k largest "
                      "logits (Chapter 4, section 5).") from None
    if not torch.equal(many, before):
        raise Mistake("your function changed the logits it was given (an in-place masked_fill_ or index "
                      "assignment?): work on a copy, the caller may still need them.")
    for row in range(2):
        top = torch.topk(logits[row], 3).indices.tolist()
        drawn = ids[row::2]
        outside = [i for i in drawn if i not in top]
        other = torch.topk(logits[1 - row], 3).values[-1]
        if outside and all(logits[row, i] >= other for i in drawn):
            raise Mistake(f"your sampler returned token {outside[0]} for row {row}, which is outside that row's top 3: "
                          f"row {row} was cut at the other row's k-th largest logit. Each row keeps its own k "
                          "largest logits: compare every row with its own k-th value (print the shapes on both "
                          "sides of your comparison).")
        if outside:
            raise Mistake(f"your sampler returned token {outside[0]} for row {row}, which is outside the top 3 "
                          f"(those are tokens {sorted(top)}): set every other logit to -inf before the softmax.")
        kept = torch.softmax(logits[row, top], dim=-1).tolist()
        for token, p in zip(top, kept):
            share = drawn.count(token) / draws
            if abs(share - p) > 0.06:
                raise Mistake(f"row {row}: token {token} came up in {share:.0%} of {draws} draws, but within the top 3 "
                              f"its probability is {p:.0%}. Sample in proportion to the softmax of the kept logits "
                              "(torch.multinomial), not uniformly and not always the best.")
    if _ids(sample_top_k(logits, 1, generator=torch.Generator().manual_seed(1)), 2) != logits.argmax(-1).tolist():
        raise Mistake("with k=1 only the most likely token of each row is left, so it must always be chosen.")
    _ids(sample_top_k(logits[:1], 3, generator=torch.Generator().manual_seed(3)), 1)  # one row: still shape (1,)
    first = _ids(sample_top_k(many, 3, generator=torch.Generator().manual_seed(5)), len(many))
    second = _ids(sample_top_k(many, 3, generator=torch.Generator().manual_seed(5)), len(many))
    if first != second:
        raise Mistake("two calls with generators seeded alike gave different tokens: pass `generator` on to "
                      "torch.multinomial(..., generator=generator), so samples can be repeated.")
    try:
        _ids(sample_top_k(logits, 50, generator=torch.Generator().manual_seed(2)), 2)
    except (RuntimeError, IndexError) as error:
        raise Mistake(f"k=50 with only 10 tokens raised {type(error).__name__}: keep min(k, vocabulary size) "
                      "tokens.") from None
    return f"{2 * draws:,} draws stayed in the top k, in the right proportions; k=1 is greedy; repeatable."


@exercise("4.2", "a learning-rate warmup")
def warmup_schedule(learning_rate) -> str:
    """Exercise 4.2: ``learning_rate(step, max_steps, peak_lr, warmup_steps, min_lr)``, compared
    with ``helpers.training.lr_at`` (the schedule Chapter 4 trained with)."""
    from helpers.training import TrainConfig, lr_at

    require_callable(learning_rate, "learning_rate")
    for max_steps, peak, warmup, low in ((100, 1e-3, 10, 1e-4), (50, 3e-3, 0, 3e-4)):
        config = TrainConfig(max_steps=max_steps, lr=peak, warmup_steps=warmup, min_lr=low)
        try:
            got = {step: learning_rate(step, max_steps, peak, warmup, low) for step in range(max_steps + 5)}
        except ZeroDivisionError:
            raise Mistake("with warmup_steps=0 your function divided by zero: with no warmup, start at the peak "
                          "(check `step < warmup_steps` first).") from None
        for step, value in got.items():
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise Mistake(f"at step {step} you returned {value!r}; return the learning rate as a number.")
            want = lr_at(step, config)
            if math.isclose(value, want, rel_tol=1e-6, abs_tol=1e-12):
                continue
            if step == 0 and value == 0:
                why = ("a rate of 0 wastes the first step: reread the exercise's warmup bullet, which says what step 0 "
                       "gets and at which step the peak comes")
            elif step < warmup:
                why = ("during warmup the rate rises in a straight line, from its value at step 0 to the peak at step "
                       "warmup_steps - 1 (the exercise's warmup bullet)")
            elif value < low - 1e-12:
                why = f"it must never drop below min_lr = {low}"
            elif step >= max_steps:
                why = "after max_steps the rate stays at min_lr (the cosine has finished)"
            elif step == warmup:
                why = "right after warmup the cosine starts at the peak, then decays to min_lr at max_steps"
            else:
                why = ("after warmup the rate follows half a cosine from the peak down to min_lr, the cosine's "
                       "angle going from 0 to pi as the step goes from warmup_steps to max_steps: Chapter 4, "
                       "section 4, draws this curve")
            raise Mistake(f"with max_steps={max_steps}, peak_lr={peak}, warmup_steps={warmup}, min_lr={low}: at step "
                          f"{step} you return {value:.6g}, the schedule is {want:.6g}. {why[0].upper() + why[1:]}.")
    return "linear warmup, cosine decay to min_lr, flat after the end, and no warmup works too."


def tiny_gpt(seed: int = 0):
    """A tiny ``helpers.gpt.GPT`` (11 tokens, context 8, 2 layers of width 16) with random weights."""
    import torch

    from helpers.gpt import GPT, GPTConfig

    torch.manual_seed(seed)
    return GPT(GPTConfig(vocab_size=11, block_size=8, n_layer=2, n_head=2, n_embd=16)).eval()


@exercise("4.3", "a longer context")
def longer_context(extend_context) -> str:
    """Exercise 4.3: ``extend_context(model, new_block_size)`` -> a new GPT that reads up to
    ``new_block_size`` tokens and computes exactly what ``model`` did on shorter inputs."""
    import torch

    from helpers.gpt import GPT

    require_callable(extend_context, "extend_context")
    old = tiny_gpt()
    weights = {k: v.clone() for k, v in old.state_dict().items()}
    new = extend_context(old, 16)
    if not isinstance(new, GPT):
        raise Mistake(f"you returned a {type(new).__name__}; return a helpers.gpt.GPT.")
    if old.config.block_size != 8 or any(not torch.equal(v, weights[k]) for k, v in old.state_dict().items()):
        raise Mistake("you changed the model you were given: build a new GPT and leave the old one as it was "
                      "(a GPTConfig with the new block_size, copied weights).")
    if new.config.block_size != 16:
        raise Mistake(f"the new model's config.block_size is {new.config.block_size}; it must be 16, or generate() "
                      "keeps cropping the context to the old length.")
    if tuple(new.transformer.wpe.weight.shape) != (16, 16):
        raise Mistake(f"the position table is {tuple(new.transformer.wpe.weight.shape)}; it needs one row per "
                      "position: (16, 16).")
    if any(p.data_ptr() == q.data_ptr() for p in new.parameters() for q in old.parameters()):
        raise Mistake("the new model shares tensors with the old one, so training one would change the other: "
                      "copy the weights (load_state_dict copies; plain assignment does not).")
    if new.lm_head.weight is not new.transformer.wte.weight:
        raise Mistake("the new model's output layer no longer shares its weights with the token embedding (weight "
                      "tying): build it with GPT(config), then load the weights into it.")
    short = torch.randint(0, 11, (2, 8), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        same = torch.allclose(new.eval()(short)[0], old(short)[0], atol=1e-5)
        if not same:
            raise Mistake("on an 8-token input the new model's logits differ from the old model's: copy every trained "
                          "weight, and the old position table into the first 8 rows of the new one.")
        try:
            logits, _ = new(torch.randint(0, 11, (1, 16)))
        except Exception as error:
            raise Mistake(f"the new model cannot read 16 tokens: {type(error).__name__}: {str(error)[:120]}") from None
    if not torch.isfinite(new.transformer.wpe.weight[8:]).all():
        raise Mistake("the new positions' embeddings are not finite numbers: start them small and random "
                      "(like the model's own init, std 0.02) or as copies of learned rows.")
    return "a new GPT with 16 positions; the old one untouched; identical answers on the first 8 positions."


def _attention_by_loop(q, k, v, window=None, scale=None):
    """Causal attention worked out one position at a time (the check's reference, float64): position t
    weighs positions max(0, t - window + 1) .. t by the softmax of their scaled dot products."""
    import torch

    q, k, v = (t.double() for t in (q, k, v))
    scale = 1 / math.sqrt(q.size(-1)) if scale is None else scale
    out = torch.zeros_like(v)
    for t in range(q.size(-2)):
        first = 0 if window is None else max(0, t - window + 1)
        scores = (k[:, first:t + 1] @ q[:, t, :, None])[..., 0] * scale         # (batch, positions seen)
        out[:, t] = (torch.softmax(scores, dim=-1)[:, None, :] @ v[:, first:t + 1])[:, 0]
    return out


def _first_difference(a, b, atol: float = 1e-5):
    """The first position (dimension 1) where a and b differ, or None."""
    import torch

    for t in range(a.size(1)):
        if not torch.allclose(a[:, t].double(), b[:, t].double(), atol=atol):
            return t
    return None


@exercise("4.4", "causal attention with a window")
def windowed_attention(causal_attention) -> str:
    """Exercise 4.4: ``causal_attention(q, k, v, window=None)`` on (batch, T, head_size) tensors: each
    position attends to itself and the positions before it (the last ``window`` of them when given),
    with softmax weights of the dot products divided by sqrt(head size). Checked by changing later
    positions (the outputs before them must not move), by values of all ones (weights add up to 1), and
    against attention worked out here position by position."""
    import torch

    require_callable(causal_attention, "causal_attention")
    generator = torch.Generator().manual_seed(4)
    q, k, v = (torch.randn(2, 7, 4, generator=generator) for _ in range(3))
    given = [t.clone() for t in (q, k, v)]
    out = causal_attention(q, k, v)
    if any(not torch.equal(a, b) for a, b in zip((q, k, v), given)):
        raise Mistake("your function changed q, k or v: build new tensors (an in-place masked_fill_ or += on them?).")
    if not isinstance(out, torch.Tensor) or tuple(out.shape) != (2, 7, 4):
        shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
        raise Mistake(f"for q, k, v of shape (2, 7, 4) you returned {shape}; return the weighted sums of the values, "
                      "one per position: shape (2, 7, 4).")

    # No peeking: new keys and values at positions 4..6 must leave positions 0..3 as they were.
    later_k, later_v = k.clone(), v.clone()
    later_k[:, 4:] = torch.randn(2, 3, 4, generator=generator) * 3
    later_v[:, 4:] = torch.randn(2, 3, 4, generator=generator) * 3
    moved = _first_difference(causal_attention(q, later_k, later_v)[:, :4], out[:, :4], atol=1e-6)
    if moved is not None and _first_difference(causal_attention(q, k, later_v)[:, :4], out[:, :4], atol=1e-6) is None:
        raise Mistake(f"changing the keys at positions 4 to 6 changed your output at position {moved}, though their "
                      "values no longer count: the future's scores still take part in the softmax, so the weights "
                      "of the past do not add up to 1. Mask the scores (to -inf) before the softmax, not the weights "
                      "after it.")
    if moved is not None:
        raise Mistake(f"changing the keys and values at positions 4 to 6 changed your output at position {moved}: it "
                      "peeked at the future. Position t may only look at positions 0..t: the causal mask of Chapter "
                      "4, section 2b, applied to the scores before the softmax.")

    # A position's weights add up to 1, so values that are all ones give outputs that are all ones.
    ones = causal_attention(q, k, torch.ones(v.shape))
    if not torch.allclose(ones, torch.ones(ones.shape), atol=1e-5):
        t = _first_difference(ones, torch.ones(ones.shape))
        raise Mistake(f"with values all equal to 1, your output at position {t} is {ones[0, t, 0].item():.3f}, not 1: "
                      "a position's weights must add up to 1. Mask the scores (to -inf) before the softmax, not the "
                      "weights after it, and take the softmax over the keys (the last dimension of the scores).")

    if _first_difference(out, _attention_by_loop(q, k, v)) is not None:
        if _first_difference(out, _attention_by_loop(q, k, v, scale=1.0)) is None:
            raise Mistake("your weights are the softmax of the plain dot products: divide the scores by the square root "
                          "of the head size first (Chapter 4, section 2b says why).")
        if _first_difference(out, _attention_by_loop(q, k, v, scale=1 / q.size(-1))) is None:
            raise Mistake("you divided the scores by the head size; divide by its square root (Chapter 4, section 2b "
                          "works out why that size).")
        t = _first_difference(out, _attention_by_loop(q, k, v))
        raise Mistake(f"your output differs from causal attention's at position {t}. The score of query t against "
                      "key s is their dot product over the head's dimensions, and each output is the weighted sum of "
                      "the values (reread the Head class of Chapter 4, section 2b).")

    # The window: the last `window` positions, position t itself included.
    for window in (3, 1):
        mine = causal_attention(q, k, v, window=window)
        if isinstance(mine, torch.Tensor) and mine.shape == out.shape and \
                _first_difference(mine, _attention_by_loop(q, k, v, window=window)) is None:
            continue
        if not isinstance(mine, torch.Tensor) or mine.shape != out.shape:
            raise Mistake(f"with window={window} you returned "
                          f"{tuple(mine.shape) if isinstance(mine, torch.Tensor) else type(mine).__name__}; "
                          "expected the same shape as without a window.")
        for seen in (window + 1, window - 1):
            if seen >= 1 and _first_difference(mine, _attention_by_loop(q, k, v, window=seen)) is None:
                raise Mistake(f"with window={window} each position attended to {seen} positions: the window holds "
                              f"the last {window} positions, the position itself included (count them by hand for "
                              "t = 5).")
        if _first_difference(mine, out) is None:
            raise Mistake(f"with window={window} your output is the same as without a window: use the `window` "
                          "argument, which cuts each position off from the positions more than window - 1 before it.")
        far = k.clone()
        far[:, 0] = torch.randn(2, 4, generator=generator) * 3
        changed = _first_difference(causal_attention(q, far, v, window=window)[:, window:], mine[:, window:], atol=1e-6)
        if changed is not None:
            raise Mistake(f"with window={window}, changing position 0 changed your output at position "
                          f"{changed + window}, which is outside its window: a position sees only the last {window} "
                          "positions.")
        t = _first_difference(mine, _attention_by_loop(q, k, v, window=window))
        raise Mistake(f"with window={window} your output differs from windowed attention's at position {t}: among "
                      "the positions in the window, weigh them as without one.")
    if _first_difference(causal_attention(q, k, v, window=50), out) is not None:
        raise Mistake("a window longer than the sequence (window=50 for 7 positions) must give plain causal "
                      "attention.")
    return "no peeking, weights that add up to 1, scaled by sqrt(head size), and a window counted right."


@exercise("4.5", "question: the loss before training")
def question_4_5(answer) -> str:
    """Exercise 4.5, a question: ``answer_4_5`` is the letter of the answer (None until set)."""
    return multiple_choice(answer, name="answer_4_5", number="4.5", choices="abcd", digest="7767f025a4ea3371",
                           reread="Chapter 4, section 3 (before training: what does a random model know?)",
                           why=('Right: nearly equal logits make the softmax nearly uniform, 1/V for every character '
                                "whatever the right one is, and the loss is -ln of the right character's probability: -ln(1/V) = "
                                "ln V. So ln V means 'knows nothing', the bar training must get below; a first loss well above it"
                                ' points to weights initialised too large (confident and wrong). Cross-entropy has no upper '
                                'bound, and GPT-2 does not start from zero weights.'))
