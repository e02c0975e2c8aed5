"""Chapter 3's fine-tuning pieces (helpers/fine_tuning.py) on tiny, randomly initialized encoders:
seconds on a CPU, no download, no offline kit."""

import pytest
import torch
from datasets import Dataset
from transformers import (BertConfig, BertForSequenceClassification, BertTokenizerFast, DataCollatorWithPadding,
                          DistilBertConfig, DistilBertForSequenceClassification, Trainer, TrainingArguments)

from helpers.fine_tuning import (LABELS, SimulatedCrash, classify, count_parameters, crash_at, folder_bytes,
                                 lora_target_modules, new_head_modules, quick_fine_tune, tokenize_reviews,
                                 training_state_bytes)

WORDS = ["good", "great", "fine", "bad", "awful", "dull", "the", "film", "was", "plot", "acting", "very"]


@pytest.fixture(scope="module")
def tiny_model_dir(tmp_path_factory):
    """A 2-layer, 32-wide BERT with a 17-word vocabulary and its tokenizer, saved like a Hub model."""
    folder = tmp_path_factory.mktemp("tiny-bert")
    (folder / "vocab.txt").write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS]) + "\n")
    tokenizer = BertTokenizerFast(vocab_file=str(folder / "vocab.txt"), do_lower_case=True)
    tokenizer.save_pretrained(folder)
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=64)
    torch.manual_seed(0)
    BertForSequenceClassification(config).bert.save_pretrained(folder)  # an encoder without a head, like the base model
    return folder


def toy_reviews(n, seed=0):
    """Reviews whose label is knowable from the words: positive ones use good/great/fine."""
    g = torch.Generator().manual_seed(seed)
    rows = []
    for i in range(n):
        label = i % 2
        opinion = ["bad", "awful", "dull"][int(torch.randint(3, (1,), generator=g))] if label == 0 else \
            ["good", "great", "fine"][int(torch.randint(3, (1,), generator=g))]
        filler = " ".join(WORDS[6:][int(j)] for j in torch.randint(6, (4,), generator=g))
        rows.append({"text": f"{filler} {opinion}", "label": label})
    return Dataset.from_list(rows)


def tiny_trainer(model_dir, output_dir, callbacks=(), seed=0):
    from helpers.fine_tuning import load_classifier

    tokenizer = BertTokenizerFast.from_pretrained(model_dir)
    data = tokenize_reviews(toy_reviews(48), tokenizer, max_length=16)
    torch.manual_seed(seed + 100)  # different head weights each time unless the checkpoint restores them
    args = TrainingArguments(output_dir=str(output_dir), max_steps=6, save_steps=2, logging_steps=1,
                             per_device_train_batch_size=8, learning_rate=1e-3, seed=seed, report_to="none",
                             disable_tqdm=True, use_cpu=True)
    return Trainer(model=load_classifier(str(model_dir)), args=args, train_dataset=data,
                   data_collator=DataCollatorWithPadding(tokenizer), callbacks=list(callbacks))


def test_resumed_trainer_run_ends_where_an_uninterrupted_one_does(tiny_model_dir, tmp_path):
    reference = tiny_trainer(tiny_model_dir, tmp_path / "uninterrupted")
    reference.train()

    crashing = tiny_trainer(tiny_model_dir, tmp_path / "interrupted", callbacks=[crash_at(5)])
    with pytest.raises(SimulatedCrash):
        crashing.train()
    assert sorted(p.name for p in (tmp_path / "interrupted").glob("checkpoint-*")) == ["checkpoint-2", "checkpoint-4"]

    resumed = tiny_trainer(tiny_model_dir, tmp_path / "interrupted", seed=0)
    resumed.train(resume_from_checkpoint=True)
    assert resumed.state.global_step == 6
    for name, value in resumed.model.state_dict().items():
        torch.testing.assert_close(value, reference.model.state_dict()[name], msg=name)
    losses = lambda t: [e["loss"] for e in t.state.log_history if "loss" in e]
    assert losses(resumed) == pytest.approx(losses(reference))


def test_new_head_starts_untrained_with_chapter_2_labels(tiny_model_dir):
    from helpers.fine_tuning import load_classifier

    model = load_classifier(str(tiny_model_dir))
    assert model.config.id2label == LABELS and model.config.label2id == {"NEGATIVE": 0, "POSITIVE": 1}


def test_tokenize_reviews_truncates_and_does_not_pad(tiny_model_dir):
    tokenizer = BertTokenizerFast.from_pretrained(tiny_model_dir)
    data = Dataset.from_list([{"text": "good", "label": 1}, {"text": " ".join(["film"] * 50), "label": 0}])
    tokens = tokenize_reviews(data, tokenizer, max_length=10)
    assert "text" not in tokens.column_names
    assert [len(ids) for ids in tokens["input_ids"]] == [3, 10]  # [CLS] good [SEP]; cut at 10


def test_lora_targets_and_head_for_bert_and_distilbert():
    bert = BertForSequenceClassification(BertConfig(vocab_size=20, hidden_size=16, num_hidden_layers=1,
                                                    num_attention_heads=2, intermediate_size=16))
    distil = DistilBertForSequenceClassification(DistilBertConfig(vocab_size=20, dim=16, n_layers=1, n_heads=2,
                                                                  hidden_dim=16))
    assert lora_target_modules(bert) == ["query", "value"]
    assert lora_target_modules(distil) == ["q_lin", "v_lin"]
    assert new_head_modules(bert) == ["classifier"]
    assert new_head_modules(distil) == ["pre_classifier", "classifier"]
    with pytest.raises(ValueError, match="no attention projections"):
        lora_target_modules(torch.nn.Sequential(torch.nn.Linear(2, 2)))


def test_parameter_counts_and_training_state_with_lora():
    from peft import LoraConfig, TaskType, get_peft_model

    model = BertForSequenceClassification(BertConfig(vocab_size=20, hidden_size=16, num_hidden_layers=1,
                                                     num_attention_heads=2, intermediate_size=16))
    trainable, total = count_parameters(model)
    assert trainable == total and training_state_bytes(model) == 16 * total
    lora = get_peft_model(model, LoraConfig(task_type=TaskType.SEQ_CLS, r=2, target_modules=lora_target_modules(model),
                                            modules_to_save=new_head_modules(model)))
    lora_trainable, lora_total = count_parameters(lora)
    # query and value (16x16 each, one layer) each get A (2x16) and B (16x2): 2 x 64 = 128 LoRA
    # weights, plus a trainable copy of the classifier (16 x 2 + 2).
    assert lora_trainable == 128 + 34
    assert training_state_bytes(lora) == 4 * lora_total + 12 * lora_trainable


def test_quick_fine_tune_saves_a_folder_that_classify_reads(tiny_model_dir, tmp_path):
    result = quick_fine_tune(str(tiny_model_dir), toy_reviews(64), tmp_path / "model", eval_dataset=toy_reviews(16, 1),
                             epochs=1, learning_rate=1e-3, batch_size=16, max_length=16, progress=False)
    assert result["steps"] == 4 and result["train_seconds"] > 0
    assert any("eval_loss" in entry for entry in result["log"])  # evaluated at the end of the epoch
    assert {"config.json", "model.safetensors", "tokenizer.json"} <= {p.name for p in (tmp_path / "model").iterdir()}
    assert folder_bytes(result["folder"]) > 0
    reviews = toy_reviews(24, seed=2)
    scored = classify(result["folder"], reviews, batch_size=8, progress=False)
    assert scored["n"] == 24 and scored["truth"] == reviews["label"] and scored["latency_ms"] > 0
    assert scored["correct"] == sum(p == t for p, t in zip(scored["predicted"], scored["truth"]))
    assert scored["accuracy"] == pytest.approx(scored["correct"] / 24)
    assert all(0.5 <= c <= 1 for c in scored["confidence"])  # the winning label's probability, of two


def test_quick_fine_tune_with_lora_trains_few_weights_and_saves_an_ordinary_model(tiny_model_dir, tmp_path):
    full = quick_fine_tune(str(tiny_model_dir), toy_reviews(64), tmp_path / "full", epochs=1, learning_rate=1e-3,
                           batch_size=16, max_length=16, progress=False)
    lora = quick_fine_tune(str(tiny_model_dir), toy_reviews(64), tmp_path / "lora", epochs=1, learning_rate=1e-2,
                           batch_size=16, max_length=16, lora_rank=2, progress=False)
    assert lora["trainable_parameters"] < full["trainable_parameters"] / 2
    # Merged before saving: no adapter files, the same kind of folder as a full fine-tune.
    saved = {p.name for p in (tmp_path / "lora").iterdir()}
    assert "model.safetensors" in saved and "adapter_config.json" not in saved
    scored = classify(lora["folder"], toy_reviews(24, seed=2), batch_size=8, progress=False)
    assert scored["n"] == 24


def _dict_literal(path, name):
    """The dict literal assigned to `name` in a chapter's text twin."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise LookupError(f"no {name} = ... in {path}")


def test_chapter_3_reruns_chapter_2s_hard_cases_unchanged():
    from helpers.paths import REPO_ROOT

    text = REPO_ROOT / "notebooks" / "text"
    chapter2 = _dict_literal(text / "02_pretrained_models_locally.py", "hard_cases")
    chapter3 = _dict_literal(text / "03_fine_tuning.py", "hard_cases")
    assert chapter3 == chapter2

