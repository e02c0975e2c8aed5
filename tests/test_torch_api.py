"""requirements.txt's torch bound stays true: every torch name the course refers to exists in it.

course_tools/torch_api_floor.json is written by `make test-oldest`, on the real torch at the bound;
here, on any torch, the code's names are checked against that record (see course_tools/torch_api.py).
"""

import json

from course_tools import torch_api


def test_names_are_found_through_every_kind_of_import():
    source = """
import torch
import torch.nn.functional as F
from torch import nn
from torch.optim import Muon as M
x = torch.cuda.get_device_properties(0).major   # a call ends the chain
y = F.scaled_dot_product_attention
z = nn.RMSNorm(4)
w = M
"""
    names = torch_api.names_in(source)
    for expected in ("torch.cuda.get_device_properties", "torch.nn.functional.scaled_dot_product_attention",
                     "torch.nn.RMSNorm", "torch.optim.Muon"):
        assert expected in names
    assert not any(name.endswith(".major") for name in names)


def test_exists_tells_a_real_name_from_a_made_up_one():
    assert torch_api.exists("torch.nn.functional.scaled_dot_product_attention")
    assert torch_api.exists("torch.optim.AdamW")
    assert not torch_api.exists("torch.optim.NoSuchOptimizer")
    assert not torch_api.exists("torch.no_such_module.thing")


def test_every_torch_name_the_course_calls_exists_in_the_oldest_torch_it_claims():
    record = json.loads(torch_api.FLOOR_FILE.read_text())
    bound = torch_api.torch_bound()
    assert record["torch"].split(".")[:len(bound.split("."))] == bound.split("."), (
        f"{torch_api.FLOOR_FILE.name} was recorded on torch {record['torch']}, but requirements.txt says "
        f"torch>={bound}: run `make test-oldest` and commit the new record")
    unvouched = {name: files for name, files in torch_api.used_names().items() if name not in record["names"]}
    assert not unvouched, (
        f"the course now calls torch names not known to exist in torch {record['torch']} (requirements.txt's "
        f"bound): {unvouched}. Run `make test-oldest` (the suite on that torch, which records them), or raise the bound")
