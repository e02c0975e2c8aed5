"""The helpers training loop (chapters 3 and 4): it learns, and every feature does what it says."""

import math

import pytest
import torch

from helpers.training import TrainConfig, lr_at, make_optimizer, train


def tiny_problem(seed=0):
    """A linear-regression task small enough to train in milliseconds, with a known answer."""
    g = torch.Generator().manual_seed(seed)
    true_w = torch.randn(8, 1, generator=g)
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))

    def get_batch(i):  # a pure function of the micro-batch number, as the loop expects
        gen = torch.Generator().manual_seed(1000 + i)
        x = torch.randn(16, 8, generator=gen)
        return x, x @ true_w

    def compute_loss(m, batch):
        x, y = batch
        return torch.nn.functional.mse_loss(m(x), y)

    def evaluate(m):
        x, y = get_batch(-1)
        return {"val_loss": compute_loss(m, (x, y)).item()}

    return model, get_batch, compute_loss, evaluate


def test_the_loss_falls():
    model, get_batch, compute_loss, evaluate = tiny_problem()
    before = evaluate(model)["val_loss"]
    history = train(model, get_batch, compute_loss, TrainConfig(max_steps=200, lr=1e-2, log_every=20),
                    evaluate=evaluate, progress=False)
    assert history.evals[-1]["val_loss"] < before / 5
    assert history.train_loss[-1] < history.train_loss[0]
    assert history.steps == list(range(20, 201, 20))


def test_schedule_warms_up_then_decays_to_min_lr():
    config = TrainConfig(max_steps=100, lr=1.0, min_lr=0.1, warmup_steps=10)
    assert lr_at(0, config) == pytest.approx(0.1)
    assert lr_at(9, config) == pytest.approx(1.0)
    assert lr_at(55, config) == pytest.approx(0.1 + 0.45 * (1 + math.cos(math.pi * 0.5)))
    assert lr_at(100, config) == pytest.approx(0.1)
    assert all(lr_at(s, config) >= lr_at(s + 1, config) for s in range(10, 100))


def test_accumulating_two_micro_batches_equals_one_step_on_both():
    model_a, get_batch, compute_loss, _ = tiny_problem()
    model_b, _, _, _ = tiny_problem()
    config = dict(max_steps=1, lr=1e-2, grad_clip=None, warmup_steps=0, weight_decay=0.0)
    train(model_a, get_batch, compute_loss, TrainConfig(accumulate=2, **config), progress=False)

    def both(i):  # the two micro-batches of step 0, as one batch of 32
        (x1, y1), (x2, y2) = get_batch(0), get_batch(1)
        return torch.cat([x1, x2]), torch.cat([y1, y2])

    train(model_b, both, compute_loss, TrainConfig(accumulate=1, **config), progress=False)
    for a, b in zip(model_a.parameters(), model_b.parameters()):
        torch.testing.assert_close(a, b)


def test_clipping_bounds_the_gradient_norm(monkeypatch):
    seen = []
    original = torch.nn.utils.clip_grad_norm_

    def spy(params, max_norm):
        params = list(params)
        original(params, max_norm)
        seen.append(torch.linalg.vector_norm(torch.stack([p.grad.norm() for p in params])).item())

    monkeypatch.setattr(torch.nn.utils, "clip_grad_norm_", spy)
    model, get_batch, compute_loss, _ = tiny_problem()
    train(model, get_batch, lambda m, b: 1000 * compute_loss(m, b), TrainConfig(max_steps=3, grad_clip=0.5),
          progress=False)
    assert len(seen) == 3 and max(seen) <= 0.5 + 1e-5


def test_weight_decay_only_on_matrices():
    model, *_ = tiny_problem()
    decayed, plain = make_optimizer(model, TrainConfig(max_steps=1, weight_decay=0.1)).param_groups
    assert all(p.dim() == 2 for p in decayed["params"]) and decayed["weight_decay"] == 0.1
    assert all(p.dim() == 1 for p in plain["params"]) and plain["weight_decay"] == 0.0


def test_evaluation_hook_runs_every_eval_every_steps_and_at_the_end():
    model, get_batch, compute_loss, evaluate = tiny_problem()
    seen = []
    history = train(model, get_batch, compute_loss, TrainConfig(max_steps=25, eval_every=10),
                    evaluate=evaluate, on_eval=lambda h: seen.append(h.evals[-1]["step"]), progress=False)
    assert [e["step"] for e in history.evals] == [10, 20, 25] == seen
    assert model.training  # evaluation put the model back in training mode


def test_resumed_run_ends_where_an_uninterrupted_one_does(tmp_path):
    config = dict(max_steps=40, lr=1e-2, warmup_steps=5, log_every=5)
    model_full, get_batch, compute_loss, _ = tiny_problem()
    full = train(model_full, get_batch, compute_loss, TrainConfig(**config), progress=False)

    # "Interrupted" after 20 steps: a run whose max_steps is 40 is stopped by a KeyboardInterrupt.
    model_cut, *_ = tiny_problem()

    def interrupting(i):
        if i == 20:
            raise KeyboardInterrupt
        return get_batch(i)

    partial = train(model_cut, interrupting, compute_loss,
                    TrainConfig(checkpoint_dir=str(tmp_path), **config), progress=False)
    assert partial.interrupted and (tmp_path / "checkpoint.pt").exists()

    model_resumed, *_ = tiny_problem(seed=123)  # fresh weights: everything must come from the checkpoint
    resumed = train(model_resumed, get_batch, compute_loss,
                    TrainConfig(checkpoint_dir=str(tmp_path), **config), resume=True, progress=False)
    for a, b in zip(model_full.parameters(), model_resumed.parameters()):
        torch.testing.assert_close(a, b)
    assert resumed.steps == full.steps
    assert resumed.train_loss == pytest.approx(full.train_loss)


def test_interrupt_without_checkpoint_dir_keeps_the_model_and_says_so(capsys):
    model, get_batch, compute_loss, _ = tiny_problem()

    def stop_at_5(i):
        if i == 5:
            raise KeyboardInterrupt
        return get_batch(i)

    history = train(model, stop_at_5, compute_loss, TrainConfig(max_steps=10, log_every=1), progress=False)
    assert history.interrupted and history.last_step == 5
    assert "checkpoint_dir" in capsys.readouterr().out


def test_bf16_autocast_on_cpu_still_learns():
    model, get_batch, compute_loss, evaluate = tiny_problem()
    before = evaluate(model)["val_loss"]
    train(model, get_batch, compute_loss, TrainConfig(max_steps=100, lr=1e-2, precision="bf16"), progress=False)
    assert evaluate(model)["val_loss"] < before / 2


def test_dataset_batches_cover_each_epoch_once_and_repeat_exactly():
    from helpers.fine_tuning import dataset_batches

    data = [{"x": torch.tensor([i])} for i in range(10)]
    collate = lambda rows: {"x": torch.cat([r["x"] for r in rows])}
    get = dataset_batches(data, batch_size=3, collate_fn=collate, device="cpu", seed=7)
    epoch0 = torch.cat([get(i)["x"] for i in range(3)]).tolist()  # 3 full batches; 1 example dropped
    assert len(set(epoch0)) == 9
    again = dataset_batches(data, batch_size=3, collate_fn=collate, device="cpu", seed=7)
    assert [again(i)["x"].tolist() for i in (4, 0)] == [get(4)["x"].tolist(), get(0)["x"].tolist()]
    assert torch.cat([get(i)["x"] for i in range(3, 6)]).tolist() != epoch0  # a new shuffle per epoch
    with pytest.raises(ValueError, match="larger than the dataset"):
        dataset_batches(data, batch_size=11, collate_fn=collate, device="cpu")


def test_interrupt_with_a_checkpoint_names_it_relative_to_the_course_and_how_to_resume(capsys, monkeypatch, tmp_path):
    import helpers.paths

    monkeypatch.setattr(helpers.paths, "REPO_ROOT", tmp_path)  # the course folder, for this test
    model, get_batch, compute_loss, _ = tiny_problem()

    def stop_at_3(i):
        if i == 3:
            raise KeyboardInterrupt
        return get_batch(i)

    config = TrainConfig(max_steps=6, checkpoint_dir=str(tmp_path / "results" / "run"))
    train(model, stop_at_3, compute_loss, config, progress=False)
    said = capsys.readouterr().out
    assert "checkpoint saved in results/run/checkpoint.pt" in said
    assert str(tmp_path) not in said  # no machine path in a notebook's output
    assert "call train() again with resume=True" in said


def test_shown_path_is_relative_to_the_course_or_home():
    from pathlib import Path

    from helpers.paths import REPO_ROOT, shown_path

    assert shown_path(REPO_ROOT / "results" / "chapter04") == "results/chapter04"
    assert shown_path(Path.home() / "elsewhere" / "x.pt") == "~/elsewhere/x.pt"


def test_progress_bar_is_plain_tqdm_outside_a_notebook():
    from tqdm.auto import tqdm

    from helpers.progress import progress_bar

    with progress_bar(total=3, disable=True) as bar:
        assert isinstance(bar, tqdm)


def test_notebook_progress_bar_updates_its_saved_output_with_where_it_ended(monkeypatch):
    """In a notebook, a widget's saved text is its first state; the bar must update it when it closes."""
    import helpers.progress as progress

    shown = []

    class Handle:
        def update(self, obj):
            shown.append(("update", repr(obj)))

    def fake_display(obj, display_id=None):
        shown.append(("display", repr(obj)))
        return Handle()

    monkeypatch.setattr(progress, "display", fake_display)
    bar = progress.recorded_notebook_bar()(total=4, desc="training")
    bar.update(4)
    bar.close()
    assert shown[0][0] == "display" and "0/4" in shown[0][1]
    assert shown[-1][0] == "update" and "100%" in shown[-1][1] and "4/4" in shown[-1][1]
    bar.close()  # a second close changes nothing
    assert len([kind for kind, _ in shown if kind == "update"]) == 1


def test_seconds_are_the_training_time_without_the_final_evaluation():
    """Chapter 4 and scripts/train_gpt.py report ms/step and tokens/s from ``history.seconds``."""
    import time

    model, get_batch, compute_loss, evaluate = tiny_problem()

    def slow_evaluate(m):  # evaluation is the slow part of a real run; three tiny steps take milliseconds
        time.sleep(1.0)
        return evaluate(m)

    history = train(model, get_batch, compute_loss, TrainConfig(max_steps=3), evaluate=slow_evaluate, progress=False)
    assert len(history.evals) == 1 and history.seconds < 1.0
