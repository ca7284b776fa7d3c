"""The row-by-row LSTM classifier beyond the generic contract (`test_contract.py`).

- `as_sequence` makes row t of the image time step t;
- `predict` equals the model written out by hand: a Python loop over the rows with the LSTM
  equations and the stored per-gate kernels, on both sides (the scan-versus-loop test);
- the variables tree: `Dense_0`, `RNN_i/cell` with LSTM gates, `Dense_1`; other depths build the same.
"""

from __future__ import annotations

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import purejax.random
from flaxed.models import lstm_classifier as flaxed_lstm
from purejax.models import lstm_classifier
from tests._asserts import FORWARD_RTOL, assert_bitwise

SIDES = [pytest.param(lstm_classifier, id="purejax"), pytest.param(flaxed_lstm, id="flaxed")]


def _by_hand(params: dict, image, num_layers: int):
    """The classifier as equations: relu projection, LSTMs stepped in a Python loop, head on the last h."""
    rows = jnp.asarray(image)[..., 0]  # [batch, 8, 8]: row t is step t
    dense = params["Dense_0"]
    xs = [jax.nn.relu(rows[:, t] @ dense["kernel"] + dense["bias"][None, :]) for t in range(rows.shape[1])]
    for layer in range(num_layers):
        cell = params[f"RNN_{layer}"]["cell"]
        hidden = cell["hi"]["kernel"].shape[0]
        c = h = jnp.zeros((rows.shape[0], hidden))  # [batch, hidden]

        def gate(name, x, h, cell=cell):
            return x @ cell[f"i{name}"]["kernel"] + h @ cell[f"h{name}"]["kernel"] + cell[f"h{name}"]["bias"][None, :]

        outputs = []
        for x in xs:
            i, f = jax.nn.sigmoid(gate("i", x, h)), jax.nn.sigmoid(gate("f", x, h))  # input, forget gates
            g, o = jnp.tanh(gate("g", x, h)), jax.nn.sigmoid(gate("o", x, h))  # candidate, output gate
            c = f * c + i * g
            h = o * jnp.tanh(c)
            outputs.append(h)
        xs = outputs
    head = params["Dense_1"]
    return xs[-1] @ head["kernel"] + head["bias"][None, :]  # [batch, 10]


def test_rows_are_time_steps(key):
    image = lstm_classifier.example_batch(key, batch_size=3)["image"]
    sequence = lstm_classifier.as_sequence(image)  # [3, 8, 8]
    assert sequence.shape == (3, 8, 8)
    for t in range(8):
        np.testing.assert_array_equal(sequence[:, t, :], image[:, t, :, 0])


@pytest.mark.parametrize("module", SIDES)
@pytest.mark.parametrize("num_layers", [1, 2, 3])
def test_predict_is_the_lstm_equations_in_a_loop(module, num_layers, key):
    batch = lstm_classifier.example_batch(key, batch_size=5)
    hparams = {"num_layers": num_layers, "hidden": 12, "features": 7}
    variables = module.init(purejax.random.PRNGKey(3), batch, **hparams)
    np.testing.assert_allclose(
        module.predict(variables, batch["image"], **hparams),
        _by_hand(variables["params"], batch["image"], num_layers),
        rtol=FORWARD_RTOL,
        atol=1e-6,
    )


def test_variables_tree_and_other_depths(key):
    batch = lstm_classifier.example_batch(key)
    variables = lstm_classifier.init(key, batch)
    assert sorted(variables) == ["params"]
    assert sorted(variables["params"]) == ["Dense_0", "Dense_1", "RNN_0", "RNN_1"]
    gates = {f"{side}{g}" for side in "ih" for g in "ifgo"}
    assert set(variables["params"]["RNN_1"]["cell"]) == gates
    assert variables["params"]["RNN_0"]["cell"]["ii"]["kernel"].shape == (32, 32)  # [features, hidden]
    hparams = {"num_layers": 3, "hidden": 16}
    deeper = lstm_classifier.init(key, batch, **hparams)
    assert_bitwise(deeper, flaxed_lstm.init(key, batch, **hparams))
    assert "RNN_2" in deeper["params"]
    chex.assert_trees_all_close(
        lstm_classifier.loss_fn(deeper, batch, None, **hparams),
        flaxed_lstm.loss_fn(deeper, batch, None, **hparams),
        rtol=FORWARD_RTOL,
    )
