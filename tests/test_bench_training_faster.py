"""benchmarks/bench_training_faster.py's arithmetic: reading the time to a loss and the loss at a
time off a run's evaluations, and what each technique changes in a recipe. (The benchmark itself
is run by hand: its timings depend on the machine.)"""

import importlib.util
import math
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from helpers.recipes import GPT_RECIPES

spec = importlib.util.spec_from_file_location(
    "bench_training_faster", Path(__file__).resolve().parents[1] / "benchmarks" / "bench_training_faster.py")
bench = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = bench  # its dataclass looks itself up there
spec.loader.exec_module(bench)

CURVE = [(0, 0.0, 4.4), (100, 10.0, 2.0), (200, 20.0, 1.8), (300, 30.0, 1.85)]  # (step, seconds, val loss)


def test_time_to_target_is_interpolated_between_the_evaluations_around_the_crossing():
    assert bench.crossing_time(CURVE, 1.9) == pytest.approx(15.0)   # halfway from 2.0 to 1.8
    assert bench.crossing_time(CURVE, 2.0) == pytest.approx(10.0)   # exactly at an evaluation
    assert bench.crossing_time(CURVE, 1.7) is None                  # never reached


def test_loss_at_a_time_is_interpolated_and_a_finished_run_keeps_its_last_loss():
    assert bench.loss_at(CURVE, 5.0) == pytest.approx(3.2)
    assert bench.loss_at(CURVE, 25.0) == pytest.approx(1.825)
    assert bench.loss_at(CURVE, 99.0) == 1.85


def test_the_baseline_is_the_chapters_recipe():
    cpu = GPT_RECIPES["cpu"]
    baseline = bench.chapter_recipe("cpu")
    assert (baseline.batch_size, baseline.steps, baseline.lr, baseline.warmup) == (
        cpu["batch_size"], cpu["steps"], cpu["lr"], cpu["warmup"])
    assert (baseline.precision, baseline.fused, baseline.muon, baseline.compile) == ("fp32", False, False, False)


def test_each_technique_changes_the_recipe_and_keeps_what_it_should():
    base = bench.chapter_recipe("cpu")
    changed = {name: change(base) for name, _, change in bench.CANDIDATES}
    assert all(recipe != base for recipe in changed.values())
    assert len(changed) == len(bench.CANDIDATES)  # names are unique: --only and --skip use them
    double = changed["batch x2"]  # the same tokens in half the steps
    assert double.batch_size * double.steps == base.batch_size * base.steps
    assert double.lr == pytest.approx(base.lr * math.sqrt(2))
    longer = changed["context x2"]  # the same tokens per step
    assert longer.batch_size * longer.block_size == base.batch_size * base.block_size
    assert changed["shorter schedule"].steps == round(0.6 * base.steps)
    # a technique applies on top of the best so far and keeps what that one changed
    add = {name: change for name, _, change in bench.CANDIDATES}
    assert add["Muon"](replace(base, fused=True)).fused  # Muon on top of fused AdamW
    assert add["batch x2 again"](double).batch_size == 4 * base.batch_size


def test_every_scale_evaluates_on_windows_of_the_baselines_context():
    for scale in bench.SCALES.values():
        base = bench.chapter_recipe(scale["profile"])
        assert all(change(base).block_size >= base.block_size for _, _, change in bench.CANDIDATES)
        assert scale["eval_windows"] % 32 == 0  # whole evaluation batches of 32


def test_a_run_reports_its_peak_memory_and_the_part_training_added():
    """The quick scale's recipe, trained for a moment in this process: the memory columns are real
    measurements (a peak no lower than what training added, which is more than the weights)."""
    import torch

    scale = dict(bench.SCALES["quick"], target=0.0)  # never reached: it trains for budget_seconds
    threads = torch.get_num_threads()
    try:
        run = bench.run(bench.chapter_recipe("smoke"), seed=0, scale=scale, budget_seconds=0.2,
                        cap_seconds=0.2, threads=1)
    finally:
        torch.set_num_threads(threads)
    weights_mb = run["parameters"] * 4 / 2**20
    assert run["peak_rss_mb"] >= run["training_mb"] > weights_mb
    assert run["cuda_peak_mb"] is None or run["cuda_peak_mb"] > weights_mb
    assert "MB" not in bench.memory_cell([run]) and bench.memory_cell([run]).count(",") == 1


def test_best_named_on_the_command_line_is_the_chapters_recipe_with_those_techniques_in_order():
    base = bench.chapter_recipe("gpu")
    assert base.dropout == GPT_RECIPES["gpu"]["model"]["dropout"] > 0  # the gpu recipe keeps its dropout
    best = bench.with_techniques(base, ["higher lr", "Muon", "batch x2"])
    assert best.muon and best.batch_size == 2 * base.batch_size
    assert best.lr == pytest.approx(base.lr * 3 * math.sqrt(2)) and best.dropout == base.dropout
    assert bench.with_techniques(base, []) == base
    assert bench.SCALES["gpu"]["device"] == "cuda" and bench.SCALES["cpu"]["device"] == "cpu"
