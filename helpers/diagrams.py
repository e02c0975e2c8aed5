"""Diagrams drawn from the code and the objects they depict (Chapters 1 to 5, and 4b).

Each function returns a matplotlib figure (no image files, no network: it renders wherever the
course runs) and reads what it shows from the objects passed in, so the picture cannot drift from
the code: change the model, and the diagram follows.

- ``approaches_diagram(current)``: the four approaches, least control first (Chapters 1 and 5);
- ``pipeline_diagram(tokenizer, model, text)``: text → tokens → ids → logits → probabilities →
  label, with one text's real values (Chapter 2, section 2);
- ``encoder_head_diagram(model)``: a pre-trained encoder with a new classification head (Chapter 3,
  section 3);
- ``lora_diagram(peft_model)``: W beside LoRA's B and A, to scale (Chapter 3, section 7);
- ``attention_diagram(head, x, tokens)``: one causal attention head step by step (Chapter 4, section 2b);
- ``block_diagram(block)``: one transformer block, from the names ``ln_1``, ``attn``, ``ln_2``,
  ``mlp`` and the shapes of their linear layers (Chapter 4, section 2e);
- ``attention_heads_figure(weights, line, heads)``: where chosen heads of a trained model look, on
  one line of text (the bonus notebook 04b, section 2).
"""

from __future__ import annotations


def _linear_shape(layer) -> str:
    return f"{layer.in_features}→{layer.out_features}"


def block_diagram(block, title: str | None = None):
    """A matplotlib figure of a pre-LayerNorm transformer block (GPT-2 style), top to bottom in
    the order of ``Block.forward``: the residual stream on the left, each sub-layer reading a
    LayerNorm-ed copy of it and adding its result back. Chapter 4, section 2e."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    C = block.ln_1.normalized_shape[0]
    n_head = block.attn.n_head
    steps = [  # (y, label, detail, colour), from the input down to the output
        (9.0, "x", f"(B, T, C = {C}): the residual stream", None),
        (7.6, "ln_1: LayerNorm", "zero mean, unit variance per token", "#e8eef7"),
        (6.2, "attn: causal self-attention",
         f"c_attn {_linear_shape(block.attn.c_attn)} (queries, keys, values), {n_head} heads of "
         f"{C // n_head},\nsoftmax(QKᵀ/√{C // n_head}, causal mask)·V, c_proj {_linear_shape(block.attn.c_proj)}",
         "#fde2c8"),
        (4.8, "+", "", None),
        (3.6, "ln_2: LayerNorm", "zero mean, unit variance per token", "#e8eef7"),
        (2.2, "mlp: per-token MLP",
         f"c_fc {_linear_shape(block.mlp.c_fc)}, GELU, c_proj {_linear_shape(block.mlp.c_proj)}", "#d9f0d3"),
        (0.8, "+", "", None),
        (-0.4, "out", f"(B, T, C = {C}): to the next block", None),
    ]
    fig, ax = plt.subplots(figsize=(7.5, 7.2))
    ax.set_xlim(-1.5, 10)
    ax.set_ylim(-1.1, 9.7)
    ax.axis("off")
    x_main, x_stream = 5.0, 0.2
    arrow = dict(arrowstyle="-|>", color="black", lw=1.2, shrinkA=0, shrinkB=0)
    for y, label, detail, colour in steps:
        if label == "+":
            ax.add_patch(plt.Circle((x_main, y), 0.28, fill=False, lw=1.5))
            ax.text(x_main, y, "+", ha="center", va="center", fontsize=16)
        elif colour is None:
            ax.text(x_main, y, f"{label}  {detail}", ha="center", va="center", fontsize=11, family="monospace")
        else:
            ax.add_patch(FancyBboxPatch((x_main - 4.2, y - 0.5), 8.4, 1.0, boxstyle="round,pad=0.05",
                                        facecolor=colour, edgecolor="black"))
            ax.text(x_main, y + 0.18, label, ha="center", va="center", fontsize=11, weight="bold")
            ax.text(x_main, y - 0.22, detail, ha="center", va="center", fontsize=8.5)
    # the sub-layers' path, straight down the middle
    for start, end in [(8.75, 8.1), (7.1, 6.7), (5.7, 5.08), (4.52, 4.1), (3.1, 2.7), (1.7, 1.08), (0.52, -0.15)]:
        ax.annotate("", xy=(x_main, end), xytext=(x_main, start), arrowprops=arrow)
    # the residual stream: branches off before each sub-layer, goes around it, into its "+"
    for y_from, y_to, code in [(8.45, 4.8, "x = x + self.attn(self.ln_1(x))"),
                               (4.31, 0.8, "return x + self.mlp(self.ln_2(x))")]:
        ax.plot([x_main], [y_from], "o", color="tab:blue", ms=5)
        ax.plot([x_main, x_stream, x_stream], [y_from, y_from, y_to], color="tab:blue", lw=2)
        ax.annotate("", xy=(x_main - 0.28, y_to), xytext=(x_stream, y_to),
                    arrowprops=dict(arrowstyle="-|>", color="tab:blue", lw=2, shrinkA=0, shrinkB=0))
        ax.text(x_main + 0.45, y_to, code, ha="left", va="center", fontsize=9.5, family="monospace")
        ax.text(x_stream - 0.15, (y_from + y_to) / 2, "residual: x skips the sub-layer", rotation=90,
                ha="right", va="center", fontsize=9, color="tab:blue")
    ax.set_title(title or f"One {type(block).__name__}, drawn from the module (C = {C}, {n_head} heads)",
                 fontsize=12)
    fig.tight_layout()
    return fig


# --- The four approaches (Chapters 1 and 5) --------------------------------------------------

APPROACHES = [  # (chapter, approach, you control, data you need, compute you need)
    (1, "call a hosted model\nthrough an API", "the prompt",
     "none (a few examples\nin the prompt)", "none of your own:\nyou pay per token"),
    (2, "run a pre-trained model\non your own machine", "where and how\nit runs",
     "none", "a laptop CPU or\none small GPU"),
    (3, "fine-tune a pre-trained\nmodel on your data", "the weights,\nfor your task",
     "hundreds to thousands\nof labelled examples", "one GPU, minutes\nto hours"),
    (4, "train a model\nfrom scratch", "everything: data,\ntokenizer, architecture",
     "millions to trillions\nof unlabelled tokens", "a laptop for a toy,\nGPU-months for a real one"),
]
_HIGHLIGHT, _PLAIN = "#fde2c8", "#eef2f7"


def approaches_diagram(current: int | None = None):
    """The course's four approaches as a row of boxes, least control on the left: under each, what
    you control and what you need (data, compute). ``current`` (1 to 4) highlights that chapter's
    box; ``None`` shows the four alike. Chapter 1's introduction (``current=1``) and Chapter 5's
    introduction (``current=None``, the comparison of all four)."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    fig, ax = plt.subplots(figsize=(11, 4.6))
    ax.set_xlim(0, 16)
    ax.set_ylim(-0.9, 6.4)
    ax.axis("off")
    for row_y, row_name in [(3.15, "you control"), (1.95, "data you need"), (0.75, "compute you need")]:
        ax.text(0.05, row_y, row_name, ha="left", va="center", fontsize=9.5, style="italic", color="dimgray")
    for i, (number, approach, control, data, compute) in enumerate(APPROACHES):
        x = 2.2 + i * 3.5
        on = number == current
        box = FancyBboxPatch((x, 0.15), 3.1, 5.2, boxstyle="round,pad=0.05", gid=f"approach-{number}",
                             facecolor=_HIGHLIGHT if on else _PLAIN, edgecolor="black", lw=2.5 if on else 1.0)
        ax.add_patch(box)
        ax.text(x + 1.55, 4.85, f"Chapter {number}", ha="center", va="center", fontsize=10,
                weight="bold" if on else "normal")
        ax.text(x + 1.55, 4.2, approach, ha="center", va="center", fontsize=10, weight="bold")
        for row_y, value in [(3.15, control), (1.95, data), (0.75, compute)]:
            ax.text(x + 1.55, row_y, value, ha="center", va="center", fontsize=9)
        for row_y in (2.55, 1.35):  # thin rules between the rows
            ax.plot([x + 0.15, x + 2.95], [row_y, row_y], color="lightgray", lw=0.8)
        if on:
            ax.text(x + 1.55, 5.75, "this chapter", ha="center", va="center", fontsize=10, weight="bold",
                    color="tab:red")
    ax.annotate("", xy=(15.9, -0.45), xytext=(2.2, -0.45),
                arrowprops=dict(arrowstyle="-|>", color="black", lw=1.2))
    ax.text(9.05, -0.72, "more control, and more data, compute and work", ha="center", va="center", fontsize=9.5)
    ax.set_title("Four ways to work with a transformer model, least control first"
                 + (f" (Chapter {current} highlighted)" if current else ""), fontsize=12)
    fig.tight_layout()
    return fig


# --- Inside a pipeline (Chapter 2) -------------------------------------------------------------

def _shown_token(token: str) -> str:
    return token.replace(" ", "␣").replace("\n", "\\n") or "∅"


def pipeline_diagram(tokenizer, model, text: str, max_tokens: int = 10):
    """What ``pipeline("sentiment-analysis")`` does to one text, drawn with the real values: the
    tokens and their ids (the first ``max_tokens``), the model's logits, the softmax probabilities
    and the label, all computed here from the ``tokenizer`` and ``model`` passed in. Chapter 2,
    section 2 ("What the pipeline does inside")."""
    import matplotlib.pyplot as plt
    import torch
    from matplotlib.patches import FancyBboxPatch, Rectangle

    encoded = tokenizer(text, truncation=True, return_tensors="pt")  # as the pipeline does, for long reviews
    ids = encoded["input_ids"][0].tolist()
    tokens = tokenizer.convert_ids_to_tokens(ids)
    with torch.no_grad():
        logits = model(**encoded.to(model.device)).logits[0].float().cpu()
    probabilities = logits.softmax(-1)
    predicted = int(probabilities.argmax())
    names = [model.config.id2label[i] for i in range(len(logits))]
    shown = min(len(ids), max_tokens)

    fig, ax = plt.subplots(figsize=(9, 6.9))
    ax.set_xlim(0, 12)
    ax.set_ylim(0.45, 10.2)
    ax.axis("off")

    def box(y, height, title, colour):
        ax.add_patch(FancyBboxPatch((0.6, y - height / 2), 10.8, height, boxstyle="round,pad=0.05",
                                    facecolor=colour, edgecolor="black"))
        ax.text(0.8, y + height / 2 - 0.22, title, ha="left", va="center", fontsize=9, style="italic",
                color="dimgray")

    def step(y_from, y_to, label):
        ax.annotate("", xy=(6, y_to), xytext=(6, y_from),
                    arrowprops=dict(arrowstyle="-|>", color="black", lw=1.2, shrinkA=0, shrinkB=0))
        ax.text(6.25, (y_from + y_to) / 2, label, ha="left", va="center", fontsize=9, family="monospace")

    box(9.5, 0.9, "text", "white")
    ax.text(6, 9.4, repr(text if len(text) <= 70 else text[:67] + "..."), ha="center", va="center", fontsize=11)
    step(9.0, 8.45, "tokenizer: pieces from its vocabulary, special tokens added")

    box(7.6, 1.6, f"tokens and their ids ({len(ids)} in all" + (f", the first {shown} shown)" if shown < len(ids) else ")"),
        "#e8eef7")
    # one cell per token, as wide as its text (in characters), scaled to fit the box
    chars = [max(len(_shown_token(tokens[i])), len(str(ids[i])), 3) + 1 for i in range(shown)]
    unit = 10.4 / (sum(chars) + 2 * (shown < len(ids)))
    fontsize = min(8.5, 80 * unit)  # a monospace character is about 0.6 em wide; a data unit about 0.7 inch
    x = 0.8
    for i in range(shown):
        width = chars[i] * unit
        ax.add_patch(Rectangle((x, 7.05), width - 0.08, 1.0, facecolor="white", edgecolor="gray", lw=0.6))
        ax.text(x + width / 2, 7.75, _shown_token(tokens[i]), ha="center", va="center", fontsize=fontsize,
                family="monospace")
        ax.text(x + width / 2, 7.3, str(ids[i]), ha="center", va="center", fontsize=fontsize, family="monospace",
                color="tab:blue")
        x += width
    if shown < len(ids):
        ax.text(x + unit, 7.55, "…", ha="center", va="center", fontsize=12)
    n_layers = getattr(model.config, "num_hidden_layers", None)
    step(6.8, 6.05, f"model: {type(model).__name__}" + (f", {n_layers} layers" if n_layers else ""))

    box(5.35, 1.2, "logits: one unnormalised score per class", "#fde2c8")
    for i, (name, logit) in enumerate(zip(names, logits.tolist())):
        ax.text(6 + (i - (len(names) - 1) / 2) * 4.2, 5.2, f"{name}: {logit:+.3f}", ha="center", va="center",
                fontsize=11, family="monospace")
    step(4.75, 4.0, "softmax: exp(logit) / sum of exp(logits)")

    box(3.2, 1.4, "probabilities: they add up to 1", "#d9f0d3")
    for i, (name, p) in enumerate(zip(names, probabilities.tolist())):
        y = 3.2 - (i - (len(names) - 1) / 2) * 0.42 - 0.15
        ax.text(3.6, y, f"{name} {p:.4f}", ha="right", va="center", fontsize=10, family="monospace")
        ax.add_patch(Rectangle((3.8, y - 0.13), 7.2 * p, 0.26, facecolor="tab:green" if i == predicted else "gray"))
    step(2.5, 1.75, "argmax, then model.config.id2label")

    box(1.15, 1.0, "label", "white")
    ax.text(6, 1.05, f"{names[predicted]}  (score {probabilities[predicted]:.4f})", ha="center", va="center",
            fontsize=13, weight="bold")
    ax.set_title("Inside the pipeline, for one text: tokens → ids → logits → probabilities → label", fontsize=12)
    fig.tight_layout()
    return fig


# --- A pre-trained encoder with a new head, and LoRA (Chapter 3) -------------------------------

def _linears(module) -> str:
    import torch

    parts = [f"{name or 'linear'} {m.in_features}→{m.out_features}" for name, m in module.named_modules()
             if isinstance(m, torch.nn.Linear)]
    parts += [type(m).__name__ for m in module.modules() if type(m).__name__ in ("Tanh", "ReLU", "GELU")]  # activations
    return ", ".join(parts)


def _count(module) -> int:
    return sum(p.numel() for p in module.parameters())


def encoder_head_diagram(model, new_weights=None):
    """A sequence classifier as Chapter 3 section 3 builds it: the pre-trained encoder (embeddings,
    then its layers) and the head on top, with the layer count, hidden size, head shapes and
    parameter counts read from ``model``. ``new_weights``: the parameter names that were not in
    the checkpoint (``loading_info["missing_keys"]``), drawn as new; without it, everything
    outside the encoder is taken as new."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    config = model.config
    encoder = getattr(model, model.base_model_prefix)
    C, n_layers, n_heads = config.hidden_size, config.num_hidden_layers, config.num_attention_heads
    inner = getattr(config, "intermediate_size", None) or getattr(config, "hidden_dim", None)
    new_weights = set(new_weights or [])

    def is_new(prefix, module, default):
        if not new_weights:
            return default
        return any(f"{prefix}.{name}" in new_weights for name, _ in module.named_parameters())

    head = []  # (name, module, new?) in the order the forward pass uses them
    pooler = getattr(encoder, "pooler", None)
    if pooler is not None:
        head.append((f"{model.base_model_prefix}.pooler", pooler,
                     is_new(f"{model.base_model_prefix}.pooler", pooler, False)))
    head += [(name, m, is_new(name, m, True)) for name, m in model.named_children()
             if name != model.base_model_prefix and _count(m)]
    encoder_params = _count(encoder) - sum(_count(m) for name, m, _ in head if name.startswith(model.base_model_prefix))

    steps = [(None, "input ids (B, T)", "", None)]
    steps.append(("pre-trained", "embeddings",
                  f"{config.vocab_size:,} tokens × {C}, plus {config.max_position_embeddings} positions × {C}", "#e8eef7"))
    steps.append(("pre-trained", f"{n_layers} × encoder layer",
                  f"self-attention ({n_heads} heads of {C // n_heads}, every token sees every token)"
                  + (f", MLP {C}→{inner}→{C}" if inner else ""), "#e8eef7"))
    steps.append((None, f"the first token's ([CLS]) vector: (B, {C})", "", None))
    for name, module, new in head:
        steps.append(("new" if new else "pre-trained", name, f"{_linears(module)}  ({_count(module):,} weights)",
                      "#fde2c8" if new else "#e8eef7"))
    labels = ", ".join(config.id2label[i] for i in range(config.num_labels))
    steps.append((None, f"logits (B, {config.num_labels}): {labels}", "", None))

    fig, ax = plt.subplots(figsize=(8.5, 1.0 + 1.05 * len(steps)))
    top = 1.2 * (len(steps) - 1)
    ax.set_xlim(-0.3, 11)
    ax.set_ylim(-0.7, top + 0.7)
    ax.axis("off")
    for i, (kind, label, detail, colour) in enumerate(steps):
        y = top - 1.2 * i
        if colour is None:
            ax.text(5.5, y, label, ha="center", va="center", fontsize=10.5, family="monospace")
        else:
            ax.add_patch(FancyBboxPatch((1.3, y - 0.42), 8.4, 0.84, boxstyle="round,pad=0.05",
                                        facecolor=colour, edgecolor="black"))
            ax.text(5.5, y + 0.16, label, ha="center", va="center", fontsize=10.5, weight="bold")
            ax.text(5.5, y - 0.2, detail, ha="center", va="center", fontsize=8.5)
            ax.text(9.85, y, kind, ha="left", va="center", fontsize=9, style="italic",
                    color="tab:red" if kind == "new" else "dimgray")
        if i:
            ax.annotate("", xy=(5.5, y + (0.3 if colour is None else 0.5)), xytext=(5.5, y + 1.2 - 0.45),
                        arrowprops=dict(arrowstyle="-|>", color="black", lw=1.1, shrinkA=0, shrinkB=0))
    n_new = sum(_count(m) for _, m, new in head if new)
    ax.text(-0.2, top - 1.2 * 1.5, f"from the\ncheckpoint:\n{encoder_params / 1e6:.1f}M\nweights", ha="left",
            va="center", fontsize=9, color="dimgray")
    ax.set_title(f"{type(model).__name__}: a pre-trained encoder ({n_layers} layers, hidden size {C})\n"
                 f"and a new head ({n_new:,} weights that start at random)", fontsize=11)
    fig.tight_layout()
    return fig


def _lora_layers(model):
    return [(name, m) for name, m in model.named_modules() if hasattr(m, "lora_A") and hasattr(m, "base_layer")
            and len(m.lora_A)]


def lora_diagram(model):
    """LoRA on one of ``model``'s adapted layers, as Chapter 3 section 7 applies it: the frozen
    weight W (d × k) beside the trainable B (d × r) and A (r × k), drawn to scale, so h = W x +
    (α/r)·B A x; with d, k, r, α and the trainable-parameter counts read from the peft ``model``
    (call it before ``merge_and_unload``, which folds B·A into W)."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    layers = _lora_layers(model)
    if not layers:
        raise ValueError(f"{type(model).__name__} has no LoRA layers (was it merged already?)")
    name, layer = layers[0]
    adapter = next(iter(layer.lora_A))
    A, B = layer.lora_A[adapter].weight, layer.lora_B[adapter].weight  # (r, k), (d, r)
    r, k, d = A.shape[0], A.shape[1], B.shape[0]
    scaling = layer.scaling[adapter]
    lora_weights = sum(lay.lora_A[adapter].weight.numel() + lay.lora_B[adapter].weight.numel() for _, lay in layers)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())
    adapted = sorted({n.rsplit(".", 1)[-1] for n, _ in layers})

    fig, ax = plt.subplots(figsize=(10, 5.6))
    ax.set_xlim(-0.4, 13.2)
    ax.set_ylim(-1.9, 5.6)
    ax.set_aspect("equal")
    ax.axis("off")
    size = 4.0 / max(d, k)  # drawing units per row or column, so that W is at most 4 wide
    thin = max(r * size, 0.22)  # r is tiny next to d and k: drawn at least this thick, to be seen
    w_width, w_height = k * size, d * size
    top = 4.4
    ax.add_patch(Rectangle((0, top - w_height), w_width, w_height, facecolor="#d9d9d9", edgecolor="black"))
    ax.text(w_width / 2, top - w_height / 2, f"W\n{d} × {k}", ha="center", va="center", fontsize=13, weight="bold")
    ax.text(w_width / 2, top - w_height - 0.35, f"frozen: {d * k:,} weights", ha="center", va="top", fontsize=9.5)
    ax.text(w_width + 0.55, top - w_height / 2, "+", ha="center", va="center", fontsize=20)
    ax.text(w_width + 1.45, top - w_height / 2, f"α/r\n= {scaling:g}", ha="center", va="center", fontsize=10)
    x_b = w_width + 2.3
    ax.add_patch(Rectangle((x_b, top - w_height), thin, w_height, facecolor="#fdae6b", edgecolor="black"))
    ax.text(x_b + thin / 2, top + 0.25, f"B\n{d} × {r}", ha="center", va="bottom", fontsize=11, weight="bold")
    ax.text(x_b + thin + 0.3, top - w_height / 2, "·", ha="center", va="center", fontsize=22)
    x_a = x_b + thin + 0.6
    ax.add_patch(Rectangle((x_a, top - thin), w_width, thin, facecolor="#fdae6b", edgecolor="black"))
    ax.text(x_a + w_width / 2, top - thin - 0.2, f"A: {r} × {k}", ha="center", va="top", fontsize=11, weight="bold")
    ax.text(x_a + w_width / 2, top - w_height / 2,
            f"trainable: B·A has\n{d} × {r} + {r} × {k}\n= {d * r + r * k:,} weights\n({(d * r + r * k) / (d * k):.1%} of W's)",
            ha="center", va="center", fontsize=9.5)
    ax.text(6.4, -0.9,
            f"layer shown: {name}  (d = {d} outputs, k = {k} inputs, rank r = {r})\n"
            f"LoRA adapts {len(layers)} layers ({', '.join(adapted)}): {lora_weights:,} weights in B and A;\n"
            f"trained in all: {trainable:,} of {total:,} weights ({trainable / total:.2%}), the new head included.\n"
            "B starts at zero, so training starts from the pre-trained model exactly.",
            ha="center", va="center", fontsize=9.5)
    ax.set_title(f"LoRA: h = W x + (α/r)·B A x, the update B·A of rank r = {r}, drawn to scale", fontsize=12)
    fig.tight_layout()
    return fig


# --- One attention head (Chapter 4) ------------------------------------------------------------

def attention_diagram(head, x, tokens):
    """One causal attention head on a short input, step by step with its real numbers: the scores
    q·kᵀ/√(head size), the causal mask, the softmax weights, and the output as the weights times the
    values. ``head`` has ``query``, ``key`` and ``value`` linear layers (Chapter 4's ``Head``);
    ``x`` is (T, C) or (1, T, C); ``tokens`` names the T positions. Chapter 4, section 2b."""
    import math

    import matplotlib.pyplot as plt
    import torch

    with torch.no_grad():
        x = x.detach().reshape(-1, x.shape[-1]).float()
        q, k, v = head.query(x), head.key(x), head.value(x)
        T, hs = q.shape
        scores = q @ k.T / math.sqrt(hs)
        future = ~torch.tril(torch.ones(T, T, dtype=torch.bool))
        weights = torch.softmax(scores.masked_fill(future, float("-inf")), dim=-1)
        out = weights @ v
    names = [f"{i}:{_shown_token(t)}" for i, t in enumerate(tokens)]

    fig = plt.figure(figsize=(12, 7.2))
    grid = fig.add_gridspec(2, 3, height_ratios=[1, 0.55], hspace=0.45, wspace=0.3)

    def matrix(axis, values, title, masked=None, number=True, cmap="viridis", columns=None):
        shown = values.masked_fill(masked, float("nan")) if masked is not None else values
        image = axis.imshow(shown.numpy(), cmap=cmap, aspect="equal" if number else "auto")
        axis.set_title(title, fontsize=10)
        axis.set_yticks(range(T), names, fontsize=9)
        if columns:  # the value dimensions: a tick every few
            every = max(1, len(columns) // 8)
            axis.set_xticks(range(0, len(columns), every), columns[::every], fontsize=9)
        else:
            axis.set_xticks(range(T), names, fontsize=9, rotation=45)
        if number:
            for i in range(values.shape[0]):
                for j in range(values.shape[1]):
                    masked_here = masked is not None and bool(masked[i, j])
                    bright = not masked_here and image.norm(float(values[i, j])) > 0.6  # dark text on light colours
                    axis.text(j, i, "−∞" if masked_here and cmap == "viridis" else f"{values[i, j]:.2f}",
                              ha="center", va="center", fontsize=8.5,
                              color="black" if masked_here or bright else "white")

    matrix(fig.add_subplot(grid[0, 0]), scores, f"1. scores = q·kᵀ / √{hs}\n(row: a query, column: a key)")
    matrix(fig.add_subplot(grid[0, 1]), scores, "2. the causal mask: a query's future\nkeys get −∞", masked=future)
    matrix(fig.add_subplot(grid[0, 2]), weights, "3. softmax of each row: weights\n(each row adds up to 1)",
           masked=future, cmap="magma")
    notes = fig.add_subplot(grid[1, 0])
    notes.axis("off")
    notes.text(-0.15, 0.5,
               f"{T} tokens, each a vector of C = {x.shape[1]}:\n"
               f"  query = Linear {x.shape[1]}→{hs}: what a token looks for\n"
               f"  key = Linear {x.shape[1]}→{hs}: what it offers\n"
               f"  value = Linear {x.shape[1]}→{hs}: what it passes on\n"
               f"q, k, v: ({T}, {hs}) each (head size {hs})\n\n"
               "4. output = weights · v: row t is the\n"
               "weighted sum of the values of 0..t",
               ha="left", va="center", fontsize=9.5, transform=notes.transAxes)
    dims = [str(i) for i in range(hs)]
    matrix(fig.add_subplot(grid[1, 1]), v, f"the values v ({T} × {hs})", number=False, cmap="coolwarm",
           columns=dims)
    matrix(fig.add_subplot(grid[1, 2]), out, f"4. output = weights · v ({T} × {hs})", number=False,
           cmap="coolwarm", columns=dims)
    fig.suptitle(f"One attention head on {T} tokens: q·kᵀ/√{hs}, causal mask, softmax, weighted sum of values",
                 fontsize=12)
    return fig


def attention_heads_figure(weights, line, heads, previous=None):
    """Heads of a trained model side by side, each its ``T × T`` attention weights on the characters of
    ``line`` (the future blank: the causal mask), on a square-root colour scale so small weights stay
    visible. ``weights`` is (layers, heads, T, T); ``heads`` a list of (layer, head), 0-based;
    ``previous``, if given, (layers, heads) of each head's mean weight on the character just before,
    printed in its title. The bonus notebook 04b, section 2."""
    import matplotlib.pyplot as plt
    import torch
    from matplotlib.colors import PowerNorm

    labels = [c if c != " " else "␣" for c in line]
    future = torch.ones(len(line), len(line), dtype=torch.bool).triu(1)  # masked: drawn blank
    fig, axes = plt.subplots(1, len(heads), figsize=(6.5 * len(heads), 6.6), layout="constrained", squeeze=False)
    for ax, (layer, h) in zip(axes[0], heads):
        image = ax.imshow(weights[layer, h].masked_fill(future, float("nan")), cmap="viridis",
                          norm=PowerNorm(0.5, vmin=0, vmax=1))
        ax.set_xticks(range(len(line)), labels, fontsize=10, family="monospace")
        ax.set_yticks(range(len(line)), labels, fontsize=10, family="monospace")
        ax.set_xlabel("attends to (an earlier character)")
        ax.set_ylabel("position (the character that predicts the next)")
        share = "" if previous is None else f"\n{previous[layer, h]:.0%} of its weight on the previous character"
        ax.set_title(f"layer {layer + 1}, head {h + 1}{share}")
    fig.colorbar(image, ax=axes[0].tolist(), shrink=0.8, label="attention weight (each row adds up to 1)")
    fig.suptitle(f"Where {'two heads look' if len(heads) == 2 else 'the heads look'}, on the validation line {line!r}")
    return fig
