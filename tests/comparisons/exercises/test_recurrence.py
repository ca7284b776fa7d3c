"""The lstm_cell and rnn_scan exercises: plausible mistakes fail, each with a message naming what differs."""

import pytest

PYTHON_LOOP = """    outs = []
    for x in xs:
        carry, y = step(carry, x)
        outs.append(y)
    ys = jnp.stack(outs)
"""

MISTAKES = [
    pytest.param(
        "lstm_cell",
        "new_h = o * jnp.tanh(new_c)",
        "new_h = o * new_c",
        ("a zero carry", "lstm_cell(...)[0][1] (float32[2, 4])", "h' = o * tanh(c')"),
        id="lstm-no-tanh",
    ),
    pytest.param(
        "lstm_cell",
        "c, h = carry",
        "h, c = carry",
        ("a carry (c, h): c first", "lstm_cell(...)[0][0]", "PyTorch returns (h, c)"),
        id="lstm-carry-order",
    ),
    pytest.param(
        "lstm_cell",
        'f = gate("f", lax.logistic)',
        'f = gate("i", lax.logistic)',
        ("a carry (c, h): c first", "(flax.linen.LSTMCell)"),
        id="lstm-forget-gate",
    ),
    pytest.param(
        "rnn_scan",
        "    if reverse:\n        xs = jnp.flip(xs, axis=0)  # read from the last step\n",
        "",
        ("reverse=True: from the last step to the first", "rnn_scan(...)[0][0]", "flip the time axis"),
        id="rnn-ignores-reverse",
    ),
    pytest.param(
        "rnn_scan",
        "return carry, (ys if time_major else jnp.swapaxes(ys, 0, 1))",
        "return carry, ys",
        ("batch-major", "expected shape (2, 3, 4)", "got shape (3, 2, 4)", "swap [batch, time, ...]"),
        id="rnn-outputs-time-major",
    ),
    pytest.param(
        "rnn_scan",
        "    carry, ys = lax.scan(step, carry, xs)  # ys: [time, batch, hidden]\n",
        PYTHON_LOOP,
        ("the values match, but not the scan", "has no `scan`", "Use lax.scan"),
        id="rnn-python-loop",
    ),
]


@pytest.mark.parametrize(("name", "old", "new", "fragments"), MISTAKES)
def test_recurrence_mistakes(assert_mistake_explained, name, old, new, fragments):
    assert_mistake_explained(name, old, new, *fragments)
