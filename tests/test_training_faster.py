"""The options Chapter 4's "Training faster" section measures: RMSNorm, RoPE and other MLPs in
helpers/gpt.py, fused AdamW and Muon in helpers/training.py. Tiny models, CPU, a second or two."""

import pytest
import torch

from helpers.gpt import GPT, GPTConfig, apply_rope, rope_tables
from helpers.optimizers import Optimizers, hidden_matrices, make_optimizer
from helpers.training import TrainConfig, train


pytestmark = pytest.mark.usefixtures("one_thread")  # tiny tensors (tests/conftest.py)


TINY = dict(vocab_size=11, block_size=8, n_layer=2, n_head=2, n_embd=16)


def tiny_gpt(seed=0, **options):
    torch.manual_seed(seed)
    return GPT(GPTConfig(**TINY, **options))


def copy_task(model):
    """get_batch and compute_loss for train(): predict the next token of a repeating pattern."""
    def get_batch(i):
        start = torch.randint(0, 11, (8, 1), generator=torch.Generator().manual_seed(i))
        rows = (start + torch.arange(TINY["block_size"] + 1)) % 11
        return rows[:, :-1].contiguous(), rows[:, 1:].contiguous()
    return get_batch, lambda m, batch: m(*batch)[1]


def test_rmsnorm_scales_each_token_to_unit_root_mean_square():
    model = tiny_gpt(norm="rmsnorm")
    norms = [m for m in model.modules() if isinstance(m, (torch.nn.LayerNorm, torch.nn.RMSNorm))]
    assert len(norms) == 2 * TINY["n_layer"] + 1 and all(isinstance(m, torch.nn.RMSNorm) for m in norms)
    x = torch.randn(3, 5, TINY["n_embd"], generator=torch.Generator().manual_seed(0)) * 7 + 20
    y = norms[0](x)  # the gain starts at 1: y is x divided by its root mean square
    torch.testing.assert_close(y, x / x.pow(2).mean(-1, keepdim=True).sqrt(), atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(y.pow(2).mean(-1), torch.ones(3, 5), atol=1e-4, rtol=0)
    assert y.mean(-1).min() > 0.5  # unlike LayerNorm, the mean is not removed


def test_rope_keeps_shapes_is_position_dependent_and_scores_only_relative_positions():
    cos, sin = rope_tables(block_size=16, head_size=8)
    q, k = torch.randn(1, 1, 1, 8), torch.randn(1, 1, 1, 8)
    at = lambda x, position: apply_rope(x.expand(1, 1, 16, 8), cos, sin)[0, 0, position]  # noqa: E731
    assert apply_rope(torch.randn(2, 3, 16, 8), cos, sin).shape == (2, 3, 16, 8)
    assert not torch.allclose(at(q, 0), at(q, 5))                       # the same vector moves with its position
    torch.testing.assert_close(at(q, 0).norm(), q.norm())              # a rotation: lengths are kept
    score = lambda m, n: at(q, m) @ at(k, n)                           # noqa: E731
    torch.testing.assert_close(score(7, 3), score(11, 7))              # only m - n matters
    assert not torch.allclose(score(7, 3), score(7, 5))


def test_rope_model_has_no_position_table_and_stays_causal():
    model = tiny_gpt(position="rope").eval()
    assert "transformer.wpe.weight" not in model.state_dict()          # positions come from the rotation
    assert not any("rope" in name for name in model.state_dict())      # tables are rebuilt, not saved
    assert model.num_parameters(non_embedding=True) == model.num_parameters()
    idx = torch.randint(0, 11, (1, 8))
    changed = idx.clone()
    changed[0, 5] = (idx[0, 5] + 1) % 11
    before, after = model(idx)[0], model(changed)[0]
    torch.testing.assert_close(before[:, :5], after[:, :5], rtol=0, atol=1e-6)
    # and the order of tokens matters, though nothing is added to the embeddings for it
    assert not torch.allclose(model(idx)[0][0, -1], model(idx.flip(1))[0][0, -1])


@pytest.mark.parametrize("mlp", ["swiglu", "relu2"])
def test_other_mlps_keep_the_size_and_train(mlp):
    gelu, other = tiny_gpt(), tiny_gpt(mlp=mlp)
    assert abs(other.num_parameters() - gelu.num_parameters()) <= 0.02 * gelu.num_parameters()
    get_batch, compute_loss = copy_task(other)
    before = compute_loss(other, get_batch(-1)).item()
    train(other, get_batch, compute_loss, TrainConfig(max_steps=40, lr=1e-2, log_every=40), progress=False)
    assert compute_loss(other, get_batch(-1)).item() < before - 1.0


def test_unknown_options_are_refused():
    for option in (dict(norm="batchnorm"), dict(position="alibi"), dict(mlp="moe")):
        with pytest.raises(ValueError):
            tiny_gpt(**option)


def test_fused_adamw_on_cpu_matches_the_plain_one():
    config = TrainConfig(max_steps=5, lr=1e-2)
    runs = []
    for fused in (False, True):
        model = tiny_gpt()
        optimizer = make_optimizer(model, config, fused=fused)
        assert optimizer.defaults["fused"] is (True if fused else None)
        get_batch, compute_loss = copy_task(model)
        train(model, get_batch, compute_loss, config, optimizer=optimizer, progress=False)
        runs.append(torch.cat([p.detach().flatten() for p in model.parameters()]))
    torch.testing.assert_close(runs[0], runs[1], atol=1e-5, rtol=1e-4)


def test_muon_takes_exactly_the_hidden_matrices_and_adamw_the_rest():
    model = tiny_gpt()
    optimizer = make_optimizer(model, TrainConfig(max_steps=1), muon=True)
    muon, adamw = optimizer.optimizers
    assert isinstance(optimizer, Optimizers) and isinstance(muon, torch.optim.Muon)
    names = {id(p): n for n, p in model.named_parameters()}
    to_muon = {names[id(p)] for g in muon.param_groups for p in g["params"]}
    expected = {f"transformer.h.{i}.{w}.weight" for i in range(TINY["n_layer"])
                for w in ("attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj")}
    assert to_muon == expected == {names[id(p)] for p in hidden_matrices(model)}
    to_adamw = {names[id(p)] for g in adamw.param_groups for p in g["params"]}
    assert to_adamw == set(names.values()) - expected  # embeddings (tied output layer), norms: each once
    assert len(optimizer.param_groups) == len(muon.param_groups) + len(adamw.param_groups)


def test_a_muon_step_changes_only_the_matrices_with_an_orthogonalised_update():
    model = tiny_gpt()
    muon, _ = make_optimizer(model, TrainConfig(max_steps=1, weight_decay=0.0), muon=True).optimizers
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    get_batch, compute_loss = copy_task(model)
    compute_loss(model, get_batch(0)).backward()
    gradient = model.transformer.h[0].mlp.c_fc.weight.grad.clone()
    muon.step()  # Muon alone: only its matrices may move
    for name, p in model.named_parameters():
        moved = not torch.equal(p, before[name])
        assert moved == (name.startswith("transformer.h.") and p.dim() == 2), name
    # Muon's update is the (Nesterov) momentum made orthogonal: singular values near 1, times the
    # learning rate scaled to AdamW's (0.2 * sqrt(max(rows, columns))), whatever the gradient's size.
    w = model.transformer.h[0].mlp.c_fc.weight
    update = (before["transformer.h.0.mlp.c_fc.weight"] - w.detach()) / (1e-3 * 0.2 * max(w.shape) ** 0.5)
    singular, raw = torch.linalg.svdvals(update), torch.linalg.svdvals(gradient)
    # Newton-Schulz (5 steps) leaves them between about 0.5 and 1.5; directions where the gradient is
    # nearly nothing are lifted less. The gradient's own singular values spread over far more.
    assert singular.max() < 1.6 and singular.median() > 0.5, singular
    assert singular.max() / singular.median() < 2 < raw.max() / raw.median(), (singular, raw)


def test_muon_trains_and_resumes_from_its_checkpoint_exactly(tmp_path):
    config = dict(max_steps=30, lr=1e-2, warmup_steps=3, log_every=5)
    full = tiny_gpt()
    get_batch, compute_loss = copy_task(full)
    history = train(full, get_batch, compute_loss, TrainConfig(**config), progress=False,
                    optimizer=make_optimizer(full, TrainConfig(**config), muon=True))
    assert history.train_loss[-1] < history.train_loss[0] - 1.0

    def interrupting(i):
        if i == 15:
            raise KeyboardInterrupt
        return get_batch(i)

    cut = tiny_gpt()
    train(cut, interrupting, compute_loss, TrainConfig(checkpoint_dir=str(tmp_path), **config), progress=False,
          optimizer=make_optimizer(cut, TrainConfig(**config), muon=True))
    resumed = tiny_gpt(seed=1)  # fresh weights and optimizer: all must come from the checkpoint
    train(resumed, get_batch, compute_loss, TrainConfig(checkpoint_dir=str(tmp_path), **config), resume=True,
          progress=False, optimizer=make_optimizer(resumed, TrainConfig(**config), muon=True))
    for a, b in zip(full.parameters(), resumed.parameters()):
        torch.testing.assert_close(a, b)
