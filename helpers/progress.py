"""Watching a long step: progress bars that leave a true record in a saved notebook (Chapters 3
and 4; any long step), and the live loss plot of the course's training loop (``live_loss_plot``).

``tqdm.auto`` draws a live widget in Jupyter, but a saved notebook keeps only the widget's text
fallback as it was when the bar appeared: "0%", however far the bar went. ``progress_bar`` is
``tqdm.auto.tqdm`` with one change: in a notebook it shows the widget through a display handle
and, when the bar closes, updates that display, so the saved copy (and GitHub, which shows the
text) reads where the bar ended: "training: 100%|██████████| 100/100 [00:02<00:00, 41.0step/s]".
Outside a notebook it is plain ``tqdm`` (and ipywidgets is not even imported).
"""

from __future__ import annotations

import functools
import sys


def display(obj, display_id=None):
    """IPython's ``display`` (a seam for the tests)."""
    from IPython.display import display as ipython_display

    return ipython_display(obj, display_id=display_id)


@functools.cache
def recorded_notebook_bar() -> type:
    """The notebook widget bar, displayed with a handle that ``close`` updates with the final state."""
    from tqdm.notebook import tqdm as notebook_tqdm

    class RecordedNotebookBar(notebook_tqdm):
        def __init__(self, *args, **kwargs):
            kwargs["display"] = False  # shown below, through a handle
            super().__init__(*args, **kwargs)
            self._handle = None
            if not self.disable:
                self._handle = display(self.container, display_id=True)
                self.displayed = True

        def close(self):
            super().close()
            handle, self._handle = getattr(self, "_handle", None), None
            if handle is not None:
                handle.update(self.container)  # its text/plain is the bar's final line

    return RecordedNotebookBar


def progress_bar(*args, **kwargs):
    """``tqdm.auto.tqdm(*args, **kwargs)``, whose saved notebook output shows where it ended."""
    from tqdm.auto import tqdm as auto_tqdm

    if "ipykernel" in sys.modules:
        from tqdm.notebook import tqdm as notebook_tqdm

        if issubclass(auto_tqdm, notebook_tqdm):  # tqdm.auto chose the widget: a live notebook
            return recorded_notebook_bar()(*args, **kwargs)
    return auto_tqdm(*args, **kwargs)


def live_loss_plot(title: str = "loss", metric_keys: tuple[str, ...] = ("val_loss",)):
    """An ``on_eval`` callback that redraws one figure in place: train loss and the evaluation
    metrics against the step (Chapter 4's live loss plot; Chapter 3's curves)."""
    import matplotlib.pyplot as plt
    from IPython.display import display

    fig, ax = plt.subplots(figsize=(7, 3.5))
    plt.close(fig)  # shown through the display handle below, not again at the end of the cell

    def label(waiting: bool = False) -> None:
        ax.set_xlabel("optimizer step")
        ax.set_ylabel("loss (cross-entropy, nats)")
        ax.set_title(title)
        if waiting:
            ax.text(0.5, 0.5, "the first evaluation draws the curves", ha="center", va="center",
                    transform=ax.transAxes, color="gray")

    label(waiting=True)
    handle = display(fig, display_id=True)

    def redraw(history) -> None:
        ax.clear()
        ax.plot(history.steps, history.train_loss, label="train loss", alpha=0.7)
        for key in metric_keys:
            points = [(e["step"], e[key]) for e in history.evals if key in e]
            if points:
                ax.plot(*zip(*points), "o-", label=key.replace("_", " "))
        label()
        ax.legend(loc="upper right")
        if handle is not None:
            handle.update(fig)

    return redraw
