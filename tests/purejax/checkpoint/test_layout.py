"""purejax.checkpoint's layout (`tree.json`): the file reads with NumPy and JSON alone, a target that
differs is named at its first differing path, and what cannot be stored is refused before writing."""

from __future__ import annotations

import collections
import json
import os
import re

import jax.numpy as jnp
import numpy as np
import pytest

import purejax.checkpoint as ckpt
from tests.purejax.checkpoint._trees import BASE, FIXED_TREES, PARAMS


def test_file_reads_with_numpy_and_json_alone(tmp_path):
    state = FIXED_TREES["train state"].replace(batch_stats={"mean": jnp.ones(3, jnp.bfloat16)})
    path = ckpt.save(tmp_path / "ckpt.npz", state)
    with np.load(path) as z:
        meta = json.loads(z["tree.json"])
        assert meta["format"] == "purejax.checkpoint" and meta["version"] == 1
        assert meta["tree"]["class"] == "TrainState"
        assert meta["tree"]["keys"] == ["step", "params", "opt_state", "batch_stats"]
        assert set(z.files) == {
            "tree.json",
            "step",
            "params/layers_0/bias",
            "params/layers_0/kernel",
            "params/layers_2/bias",
            "params/layers_2/kernel",
            "batch_stats/mean",
            "opt_state/0/count",
        } | {f"opt_state/0/{m}/layers_{i}/{p}" for m in ("mu", "nu") for i in (0, 2) for p in ("bias", "kernel")}
        np.testing.assert_array_equal(z["params/layers_0/kernel"], PARAMS["layers_0"]["kernel"])
        mean = meta["tree"]["children"][3]["children"][0]
        assert (mean["dtype"], mean["stored_as"], z["batch_stats/mean"].dtype) == ("bfloat16", "uint16", np.uint16)


Other = collections.namedtuple("Other", ["count", "mu", "nu"])


def _changed(path: str, value):
    """BASE with the node at `path` (a/b/c) replaced by `value` (or deleted if value is ...)."""

    def walk(node, keys):
        node = list(node) if isinstance(node, list) else dict(node) if isinstance(node, dict) else node
        key = int(keys[0]) if isinstance(node, list) else keys[0]
        if len(keys) > 1:
            node[key] = walk(node[key], keys[1:])
        elif value is ...:
            del node[key]
        else:
            node[key] = value
        return node

    return walk(BASE, path.split("/"))


MISMATCHES = [  # (case, target, the path the error names)
    ("missing key", _changed("params/Dense_0/bias", ...), "params/Dense_0"),
    ("extra key", _changed("params/Dense_1", {"bias": np.zeros(3)}), "params"),
    ("shorter list", _changed("stats", [np.ones(2, np.float32)]), "stats"),
    ("tuple for list", _changed("stats", (np.ones(2, np.float32), None)), "stats"),
    ("node for leaf", _changed("params/Dense_0/kernel", {"w": np.zeros((4, 3), np.float32)}), "params/Dense_0/kernel"),
    ("leaf for None", _changed("stats/1", np.ones(1)), "stats/1"),
    ("shape", _changed("params/Dense_0/kernel", np.zeros((3, 4), np.float32)), "params/Dense_0/kernel"),
    ("dtype", _changed("params/Dense_0/bias", np.zeros(3, np.float16)), "params/Dense_0/bias"),
    ("number kind", _changed("count", True), "count"),
    ("namedtuple class", _changed("opt", (Other(*BASE["opt"][0]), BASE["opt"][1])), "opt/0"),
    ("first of two", _changed("stats", []) | {"params": {}}, "params"),
]


@pytest.mark.parametrize("case,target,path", MISMATCHES, ids=[m[0] for m in MISMATCHES])
def test_target_mismatch_names_the_first_differing_path(tmp_path, case, target, path):
    file = ckpt.save(tmp_path / "ckpt.npz", BASE)
    with pytest.raises(ValueError) as info:
        ckpt.restore(file, target=target)
    message = str(info.value)
    assert f"purejax.checkpoint.restore({file!r})" in message, message
    assert re.search(rf"\bat {re.escape(path)}[: ]", message), message


@pytest.mark.parametrize(
    "bad,error,words",
    [
        ({"a": "text"}, TypeError, "the leaf at a is a str"),
        ({"a": np.array(["x"])}, TypeError, "the leaf at a has dtype <U1"),
        ({"a": np.array([object()])}, TypeError, "has dtype object"),
        ({(1, 2): np.ones(1)}, TypeError, "dict keys must be str or int"),
        ({"a/b": np.ones(1), "a": {"b": np.ones(1)}}, ValueError, "stored as 'a/b'"),
        ({"tree.json": 1}, ValueError, "stored as 'tree.json'"),
    ],
)
def test_save_refuses_what_it_cannot_store(tmp_path, bad, error, words):
    with pytest.raises(error, match=f"purejax.checkpoint.save: .*{words}"):
        ckpt.save(tmp_path / "ckpt.npz", bad)
    assert os.listdir(tmp_path) == []
