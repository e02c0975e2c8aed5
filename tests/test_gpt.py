"""Chapter 4's model (helpers/gpt.py): shapes, causality, weight tying, size, sampling, data."""

import math

import pytest
import torch

from helpers.gpt import GPT, GPTConfig, attention_maps
from helpers.gpt_data import CharTokenizer, random_windows
from helpers.recipes import GPT_RECIPES



pytestmark = pytest.mark.usefixtures("one_thread")  # tiny tensors (tests/conftest.py)


TINY = GPTConfig(vocab_size=11, block_size=8, n_layer=2, n_head=2, n_embd=16)


def tiny_model(seed=0, config=TINY):
    torch.manual_seed(seed)
    return GPT(config).eval()


def test_shapes_and_the_untrained_loss_is_ln_vocab():
    model = tiny_model()
    idx = torch.randint(0, TINY.vocab_size, (3, TINY.block_size))
    logits, loss = model(idx)
    assert logits.shape == (3, TINY.block_size, TINY.vocab_size) and loss is None
    _, loss = model(idx, torch.roll(idx, -1, dims=1))
    assert loss.shape == () and loss.item() == pytest.approx(math.log(TINY.vocab_size), abs=0.05)
    with pytest.raises(ValueError, match="block_size"):
        model(torch.zeros(1, TINY.block_size + 1, dtype=torch.long))


def test_attention_is_causal_a_later_token_never_changes_earlier_logits():
    model = tiny_model()
    idx = torch.randint(0, TINY.vocab_size, (1, TINY.block_size))
    changed = idx.clone()
    t = 5
    changed[0, t] = (idx[0, t] + 1) % TINY.vocab_size
    before, _ = model(idx)
    after, _ = model(changed)
    torch.testing.assert_close(before[:, :t], after[:, :t], rtol=0, atol=1e-6)
    assert (before[:, t:] - after[:, t:]).abs().amax(dim=-1).min() > 1e-4  # and it does change later ones


def test_output_layer_is_tied_to_the_token_embedding():
    model = tiny_model()
    assert model.lm_head.weight is model.transformer.wte.weight
    with torch.no_grad():
        model.transformer.wte.weight[3].fill_(0.5)
    assert torch.all(model.lm_head.weight[3] == 0.5)


def test_parameter_count_matches_the_formula():
    config = GPTConfig(vocab_size=84, **GPT_RECIPES["cpu"]["model"])  # the cpu profile
    L, C = config.n_layer, config.n_embd
    per_block = 4 * C * C + 8 * C * C + 2 * C  # attention (q, k, v, out), MLP (C->4C->C), two LayerNorm gains
    expected = L * per_block + config.vocab_size * C + config.block_size * C + C  # + tied embedding, positions, ln_f
    model = GPT(config)
    assert model.num_parameters() == expected == 806_528
    assert model.num_parameters(non_embedding=True) == expected - config.block_size * C


def test_generate_options():
    model = tiny_model()
    prompt = torch.tensor([[1, 2, 3]])
    greedy = model.generate(prompt, 12, temperature=0)
    assert greedy.shape == (1, 15) and torch.equal(greedy[:, :3], prompt)  # longer than block_size: cropped context
    assert torch.equal(model.generate(prompt, 12, top_k=1), greedy)        # one candidate left: the argmax
    assert torch.equal(model.generate(prompt, 12, top_p=1e-9), greedy)     # nucleus of one token
    sample = lambda **kw: model.generate(prompt, 12, generator=torch.Generator().manual_seed(7), **kw)
    assert torch.equal(sample(temperature=1.0), sample(temperature=1.0))   # seeded: repeatable
    assert int(sample(temperature=5.0).max()) < TINY.vocab_size
    # top_k=3: every sampled token is among the 3 most likely after its context
    out = sample(top_k=3, temperature=2.0)
    for t in range(3, out.size(1)):
        logits, _ = model(out[:, max(0, t - TINY.block_size):t])
        assert out[0, t] in torch.topk(logits[0, -1], 3).indices
    assert model.training is False


def test_char_tokenizer_round_trip():
    text = "To be, or not to be: that is the question.\n"
    tok = CharTokenizer(text)
    assert tok.vocab_size == len(set(text)) and tok.chars == sorted(set(text))
    ids = tok.encode("not to be")
    assert tok.decode(ids) == "not to be"
    assert tok.encode_tensor(text).tolist() == tok.encode(text)
    with pytest.raises(KeyError):
        tok.encode_tensor("Zebra")


def test_get_batch_is_a_pure_function_of_i_and_the_seed():
    data = torch.arange(1000)
    a = random_windows(data, block_size=8, batch_size=4, seed=1)
    b = random_windows(data, block_size=8, batch_size=4, seed=1)
    x5, y5 = a(5)
    a(6), a(0)  # what was drawn before does not matter
    assert torch.equal(b(5)[0], x5) and torch.equal(a(5)[1], y5)
    assert x5.shape == y5.shape == (4, 8)
    assert torch.equal(y5[:, :-1], x5[:, 1:]) and torch.equal(y5[:, -1], x5[:, -1] + 1)  # targets: next token
    assert not torch.equal(a(6)[0], x5)
    assert not torch.equal(random_windows(data, 8, 4, seed=2)(5)[0], x5)
    # two processes' slices together are the one-process batch of twice the size
    whole = random_windows(data, 8, 8, seed=1)(5)[0]
    halves = [random_windows(data, 8, 4, seed=1, rank=r, world_size=2)(5)[0] for r in (0, 1)]
    assert torch.equal(torch.cat(halves), whole)


def test_attention_maps_are_causal_distributions():
    model = tiny_model()
    maps = attention_maps(model, torch.randint(0, TINY.vocab_size, (2, 6)))
    assert len(maps) == TINY.n_layer and maps[0].shape == (2, TINY.n_head, 6, 6)
    for m in maps:
        torch.testing.assert_close(m.sum(-1), torch.ones(2, TINY.n_head, 6))
        assert torch.all(m.triu(diagonal=1) == 0)


def test_block_diagram_is_drawn_from_the_module_it_depicts():
    import matplotlib

    matplotlib.use("Agg")
    from helpers.diagrams import block_diagram
    from helpers.gpt import Block

    figure = block_diagram(Block(GPTConfig(n_embd=48, n_head=3)))
    texts = " ".join(t.get_text() for t in figure.axes[0].texts)
    for expected in ("ln_1", "attn", "ln_2", "mlp", "c_attn 48→144", "3 heads of 16", "c_fc 48→192",
                     "c_proj 192→48", "x = x + self.attn(self.ln_1(x))"):
        assert expected in texts, expected


def test_next_token_accuracy_counts_the_argmax_hits_and_restores_the_mode():
    from helpers.gpt_data import next_token_accuracy

    class Echo(torch.nn.Module):  # predicts that the next token is the current one
        def forward(self, idx):
            return torch.nn.functional.one_hot(idx, 5).float() * 10, None

    batches = {0: (torch.tensor([[1, 2, 3]]), torch.tensor([[1, 0, 3]])),  # 2 of 3 right
               1: (torch.tensor([[4, 4, 0]]), torch.tensor([[0, 0, 0]]))}  # 1 of 3
    model = Echo().train()
    assert next_token_accuracy(model, batches.__getitem__, 2) == (3, 6)
    assert model.training
    assert next_token_accuracy(model.eval(), batches.__getitem__, 1) == (2, 3) and not model.training
