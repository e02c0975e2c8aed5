"""The resolver's decisions: online/offline, which stand-in, and what it tells the learner."""

import os

import pytest

import helpers.hub as hub
from helpers.hub import HubMode, decide_hub_mode


def never_called():
    raise AssertionError("the reachability check should not run here")


def test_parameter_forces_offline_without_checking_the_network():
    mode = decide_hub_mode("offline", check=never_called)
    assert not mode.online and "HUB_MODE" in mode.reason


def test_parameter_forces_online_even_with_hf_hub_offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert decide_hub_mode("online", check=lambda: True).online


def test_online_parameter_with_an_unreachable_hub_says_what_to_do():
    with pytest.raises(hub.HubUnreachableError, match="HUB_MODE = 'online', but .* did not answer.*HUB_MODE = 'auto'"):
        decide_hub_mode("online", check=lambda: False)


@pytest.mark.parametrize("value", ["1", "true", "YES"])
def test_hf_hub_offline_is_respected_without_checking(monkeypatch, value):
    monkeypatch.setenv("HF_HUB_OFFLINE", value)
    mode = decide_hub_mode("auto", check=never_called)
    assert not mode.online and "HF_HUB_OFFLINE" in mode.reason


def test_auto_follows_the_reachability_check(monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    assert decide_hub_mode("auto", check=lambda: True).online
    mode = decide_hub_mode("auto", check=lambda: False)
    assert not mode.online and "did not answer" in mode.reason


def test_unknown_mode_names_the_valid_ones():
    with pytest.raises(ValueError, match="online"):
        decide_hub_mode("sometimes")


def test_reachability_check_fails_fast_for_an_unresolvable_host(monkeypatch):
    import time

    monkeypatch.setenv("HF_ENDPOINT", "https://no-such-host.invalid")
    started = time.perf_counter()
    assert hub.hub_reachable(timeout=1.0) is False
    assert time.perf_counter() - started < 3.0, "an unresolvable host must not hold a chapter up"


def _listening_socket():
    import socket

    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    listening.listen()
    return listening


def test_hf_endpoint_is_the_host_probed_and_named(monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    with _listening_socket() as listening:
        endpoint = f"http://127.0.0.1:{listening.getsockname()[1]}"
        monkeypatch.setenv("HF_ENDPOINT", endpoint)
        assert hub.hub_endpoint() == endpoint and hub.hub_reachable(timeout=1.0)
        mode = decide_hub_mode("auto", check=hub.hub_reachable)
        assert mode.online and f"HF_ENDPOINT {endpoint} is reachable" in mode.reason
    # the same endpoint with nothing listening: offline, and the reason names HF_ENDPOINT
    mode = decide_hub_mode("auto", check=hub.hub_reachable)
    assert not mode.online and f"HF_ENDPOINT {endpoint} did not answer" in mode.reason


def test_without_hf_endpoint_the_hub_is_huggingface_co(monkeypatch):
    monkeypatch.delenv("HF_ENDPOINT", raising=False)
    assert hub.hub_endpoint() == "https://huggingface.co"


@pytest.mark.parametrize("typo, meant", [
    ("distilbert-base-uncased-finetuned-sst2-english", "distilbert-base-uncased-finetuned-sst-2-english"),
    ("distilbert-base-uncase", "distilbert-base-uncased"),
    ("HuggingFaceTB/SmolLM2-135M-instruct", "HuggingFaceTB/SmolLM2-135M-Instruct"),
])
def test_closest_known_id_for_typos(typo, meant):
    assert hub.closest_known_id(typo) == meant


def test_closest_known_id_for_datasets_and_nonsense():
    assert hub.closest_known_id("stanfordnlp/imbd", "dataset") == "stanfordnlp/imdb"
    assert hub.closest_known_id("completely/different-thing") is None


def test_course_metrics_agree_with_scikit_learn():
    from sklearn.metrics import accuracy_score, f1_score

    predictions, references = [1, 0, 1, 1, 0, 1, 0, 0], [1, 0, 0, 1, 1, 1, 0, 1]
    assert hub.load_metric("accuracy").compute(predictions=predictions, references=references)["accuracy"] == \
        pytest.approx(accuracy_score(references, predictions))
    assert hub.load_metric("f1").compute(predictions=predictions, references=references)["f1"] == \
        pytest.approx(f1_score(references, predictions))


def test_offline_mode_sets_hf_hub_offline(monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    hub.set_hub_mode(HubMode(False, "test"))
    assert os.environ["HF_HUB_OFFLINE"] == "1"


def test_online_the_hub_id_is_used_unchanged(monkeypatch):
    asked = []
    monkeypatch.setattr(hub, "check_repo_exists", lambda repo_id, repo_type: asked.append(repo_id))
    hub.set_hub_mode(HubMode(True, "test"))
    assert hub.resolve_model("distilbert-base-uncased") == "distilbert-base-uncased"
    assert hub.resolve_model("any/model-the-course-does-not-know") == "any/model-the-course-does-not-know"
    assert asked == ["distilbert-base-uncased", "any/model-the-course-does-not-know"]  # the Hub was asked


def test_online_a_hub_that_went_away_is_said_clearly(monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens on the discard port
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_OFFLINE", False)
    hub.check_repo_exists.cache_clear()
    hub.set_hub_mode(HubMode(True, "test"))
    with pytest.raises(hub.HubUnreachableError, match="HF_ENDPOINT http://127.0.0.1:9 stopped answering"):
        hub.resolve_model("distilbert-base-uncased")


def test_offline_maps_to_the_stand_in_and_prints_one_banner(monkeypatch, tmp_path, capsys):
    import helpers.kit as kit
    from course_tools.kit import ASSETS

    folder = tmp_path / "offline-kit" / "sentiment-minilm-rt"
    folder.mkdir(parents=True)
    monkeypatch.setattr(kit, "asset_path", lambda name: tmp_path / "offline-kit" / name)
    monkeypatch.setattr(kit, "asset_facts", lambda name: {"differs": ASSETS[name].differs})
    hub.set_hub_mode(HubMode(False, "HF_HUB_OFFLINE=1 is set"))

    first = hub.resolve_model("distilbert-base-uncased-finetuned-sst-2-english")
    second = hub.resolve_model("distilbert/distilbert-base-uncased-finetuned-sst-2-english")
    assert first == second == str(folder)
    banner = capsys.readouterr().out
    assert banner.count("OFFLINE STAND-IN") == 1  # once per stand-in, not per call
    for expected in ("distilbert-base-uncased-finetuned-sst-2-english", "sentiment-minilm-rt",
                     "HF_HUB_OFFLINE=1 is set", ASSETS["sentiment-minilm-rt"].differs[:40]):
        assert expected in banner
    assert str(tmp_path) not in banner  # no machine-specific paths in notebook outputs


def test_offline_copy_of_the_very_model_asked_for_is_not_called_a_stand_in(monkeypatch, tmp_path, capsys):
    import helpers.kit as kit

    monkeypatch.setattr(kit, "asset_path", lambda name: tmp_path / name)
    monkeypatch.setattr(kit, "asset_facts", lambda name: {"differs": "vs DistilBERT's 768 wide"})
    hub.set_hub_mode(HubMode(False, "test"))
    hub.resolve_model("sentence-transformers/all-MiniLM-L6-v2")
    banner = capsys.readouterr().out
    assert "OFFLINE COPY" in banner and "this very model" in banner
    assert "STAND-IN" not in banner and "DistilBERT" not in banner  # the asked model is the one used
    hub.resolve_model("distilbert-base-uncased")  # the same kit folder, standing in for another model
    assert "OFFLINE STAND-IN" in capsys.readouterr().out


def test_offline_unknown_model_says_what_works_and_how_to_go_online():
    hub.set_hub_mode(HubMode(False, "test"))
    with pytest.raises(LookupError) as error:
        hub.resolve_model("bert-large-cased")
    message = str(error.value)
    assert "bert-large-cased" in message and "distilbert-base-uncased" in message
    assert "HUB_MODE = 'online'" in message


def test_every_stand_in_is_an_asset_of_the_kit():
    from course_tools.kit import ASSETS

    for stand_in in {**hub.MODEL_STAND_INS, **hub.DATASET_STAND_INS}.values():
        assert stand_in in ASSETS, stand_in


def test_offline_reviews_come_from_the_kit_csv_with_text_and_label(monkeypatch, tmp_path, capsys):
    import helpers.kit as kit

    folder = tmp_path / "rotten-tomatoes"
    folder.mkdir()
    rows = ["text,label,movie"] + [f"review number {i},{i % 2},movie {i}" for i in range(20)]
    (folder / "test.csv").write_text("\n".join(rows) + "\n")
    monkeypatch.setattr(kit, "asset_path", lambda name: tmp_path / name)
    # The banner quotes the kit's manifest: faked too, so the test needs no built kit (make unit).
    monkeypatch.setattr(kit, "asset_facts", lambda name: {"differs": "a test's few rows"})
    hub.set_hub_mode(HubMode(False, "test"))

    data = hub.load_reviews("stanfordnlp/imdb", split="test", n=8, seed=1)
    assert data.column_names == ["text", "label"]
    assert len(data) == 8 and set(data["label"]) <= {0, 1}
    again = hub.load_reviews("stanfordnlp/imdb", split="test", n=8, seed=1)
    assert data["text"] == again["text"]  # a seeded subset repeats
    assert "rotten-tomatoes" in capsys.readouterr().out
    with pytest.raises(LookupError, match="only on the Hub"):  # IMDb's unlabelled split has no stand-in
        hub.load_reviews("stanfordnlp/imdb", split="unsupervised")


def test_offline_metrics_are_the_local_modules_and_compute_correctly():
    hub.set_hub_mode(HubMode(False, "test"))
    predictions, references = [1, 0, 1, 1, 0], [1, 1, 1, 0, 0]
    assert hub.load_metric("accuracy").compute(predictions=predictions, references=references) == {"accuracy": 0.6}
    # precision 2/3, recall 2/3 -> F1 2/3
    f1 = hub.load_metric("f1").compute(predictions=predictions, references=references)["f1"]
    assert f1 == pytest.approx(2 / 3)


def test_offline_unknown_metric_lists_the_available_ones():
    hub.set_hub_mode(HubMode(False, "test"))
    with pytest.raises(LookupError, match="accuracy"):
        hub.load_metric("bleu")


def test_offline_dataset_resolves_to_the_kit_folder_that_load_dataset_reads(monkeypatch, tmp_path, capsys):
    import helpers.kit as kit
    from datasets import load_dataset

    folder = tmp_path / "rotten-tomatoes"
    folder.mkdir()
    for split in ("train", "test"):
        (folder / f"{split}.csv").write_text("text,label,movie\ngood film,1,a\nbad film,0,b\n")
    monkeypatch.setattr(kit, "asset_path", lambda name: tmp_path / name)
    monkeypatch.setattr(kit, "asset_facts", lambda name: {"differs": "a test kit"})
    hub.set_hub_mode(HubMode(False, "a test"))
    source = hub.resolve_dataset("stanfordnlp/imdb")
    assert source == str(folder) and "OFFLINE STAND-IN" in capsys.readouterr().out
    reviews = load_dataset("csv", data_files={s: f"{source}/{s}.csv" for s in ("train", "test")})
    assert reviews["test"]["label"] == [1, 0]
