"""Diagrams drawn from the code they depict (Chapter 4).

``block_diagram(block)`` draws one transformer block, reading its parts and sizes from the
module itself (the names ``ln_1``, ``attn``, ``ln_2``, ``mlp`` and the shapes of their linear
layers), so the picture cannot drift from the code: change the block, and the diagram follows.
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
