"""purejax.convert: PyTorch's LSTM/GRU weights in Flax's layout and back, checked against torch itself.

The table of cases is shared with the parity report (comparisons/parity/tables/convert.py). Tests that
need torch take the `torch` fixture, which skips them with the reason when torch is absent; the
layout, the round trip from our own init, the carry helpers and the errors run without it.
"""

import re

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from comparisons.parity.tables.convert import CASES, case_id, from_torch, our_variables, round_trip
from purejax.convert import (
    carry_from_torch,
    carry_to_torch,
    gru_from_torch,
    gru_to_torch,
    lstm_from_torch,
    lstm_to_torch,
)
from purejax.nn import RNN, Bidirectional, GRUCell, LSTMCell
from tests._asserts import FORWARD_RTOL, assert_bitwise, assert_refused

FORWARD_ATOL = 1e-6
CASE_IDS = [case_id(i, c) for i, c in enumerate(CASES)]


@pytest.fixture
def torch():
    return pytest.importorskip(
        "torch", reason="PyTorch is not installed; the PyTorch parity tests need torch==2.13.0 (CPU)"
    )


def assert_forward_close(ours, theirs):
    chex.assert_trees_all_close(ours, theirs, rtol=FORWARD_RTOL, atol=FORWARD_ATOL)


def numpy_state_dict(n_gates, n_in, hidden, bias=True, suffix="_l0", seed=0):
    """A random PyTorch-style state dict of NumPy float32 arrays, as `.numpy()` of `state_dict()` gives."""
    rng = np.random.default_rng(seed)
    shapes = {"weight_ih": (n_gates * hidden, n_in), "weight_hh": (n_gates * hidden, hidden)}
    if bias:
        shapes.update(bias_ih=(n_gates * hidden,), bias_hh=(n_gates * hidden,))
    return {k + suffix: rng.standard_normal(s).astype(np.float32) for k, s in shapes.items()}


def expected_lstm(w_ih, w_hh, b_ih, b_hh, hidden):
    """Flax's LSTM layout, spelt independently: rows reshaped to [gate, hidden, ...], then transposed."""
    w_ih, w_hh, b = w_ih.reshape(4, hidden, -1), w_hh.reshape(4, hidden, hidden), (b_ih + b_hh).reshape(4, hidden)
    cell = {}
    for k, gate in enumerate("ifgo"):
        cell[f"i{gate}"] = {"kernel": w_ih[k].T}
        cell[f"h{gate}"] = {"kernel": w_hh[k].T, "bias": b[k]}
    return {"params": {"cell": cell}}


def expected_gru(w_ih, w_hh, b_ih, b_hh, hidden):
    w_ih, w_hh = w_ih.reshape(3, hidden, -1), w_hh.reshape(3, hidden, hidden)
    b_ih, b_hh = b_ih.reshape(3, hidden), b_hh.reshape(3, hidden)
    return {
        "params": {
            "cell": {
                "ir": {"kernel": w_ih[0].T, "bias": b_ih[0] + b_hh[0]},
                "iz": {"kernel": w_ih[1].T, "bias": b_ih[1] + b_hh[1]},
                "in": {"kernel": w_ih[2].T, "bias": b_ih[2]},
                "hr": {"kernel": w_hh[0].T},
                "hz": {"kernel": w_hh[1].T},
                "hn": {"kernel": w_hh[2].T, "bias": b_hh[2]},
            }
        }
    }


KINDS = {
    "lstm": (4, lstm_from_torch, lstm_to_torch, expected_lstm),
    "gru": (3, gru_from_torch, gru_to_torch, expected_gru),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "n_in,hidden,bias,suffix",
    [
        (4, 6, True, "_l0"),
        (7, 3, True, "_l0"),
        (5, 5, False, "_l0"),
        (4, 6, True, ""),
        (2, 1, False, ""),
    ],
    ids=["LSTM", "in7_hidden3", "bias=False", "cell_names", "cell_names_bias=False"],
)
def test_layout_is_exact(kind, n_in, hidden, bias, suffix):
    """Each gate's kernel is its block of rows, transposed; biases summed; and back again, bitwise."""
    n_gates, from_torch_, to_torch_, expected = KINDS[kind]
    sd = numpy_state_dict(n_gates, n_in, hidden, bias, suffix)
    zeros = np.zeros(n_gates * hidden, np.float32)
    w_ih, w_hh = sd["weight_ih" + suffix], sd["weight_hh" + suffix]
    b_ih, b_hh = sd.get("bias_ih" + suffix, zeros), sd.get("bias_hh" + suffix, zeros)
    variables = from_torch_(sd)
    assert_bitwise(variables, jax.tree.map(jnp.asarray, expected(w_ih, w_hh, b_ih, b_hh, hidden)))
    back = to_torch_(variables, bias=bias, cell=suffix == "")
    assert sorted(back) == sorted(sd)
    assert_bitwise((back["weight_ih" + suffix], back["weight_hh" + suffix]), (w_ih, w_hh))
    assert_bitwise(from_torch_(back), variables)  # the folded biases come back as they were


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_round_trip_from_our_init(case):
    """`from_torch(to_torch(v)) == v` bitwise for purejax's own variables, random biases included."""
    assert_bitwise(*round_trip(case)["variables"])


@pytest.mark.parametrize("kind", KINDS)
def test_cell_variables_and_torch_layout(kind):
    """Plain cell variables convert as RNN variables do; the arrays are fresh, writable, torch's dtype."""
    variables = our_variables(next(c for c in CASES if c.kind == kind))
    to_torch_ = KINDS[kind][2]
    got = to_torch_(variables)
    assert_bitwise(to_torch_({"params": variables["params"]["cell"]}), got)
    assert sorted(got) == ["bias_hh_l0", "bias_ih_l0", "weight_hh_l0", "weight_ih_l0"]
    assert all(isinstance(v, np.ndarray) and v.flags.writeable and v.dtype == np.float32 for v in got.values())
    hidden = variables["params"]["cell"]["hr" if kind == "gru" else "hi"]["kernel"].shape[0]
    b_hh = got["bias_hh_l0"].reshape(-1, hidden)
    assert np.all(b_hh[:2] == 0) and (kind == "lstm") == np.all(b_hh[-1] == 0)  # GRU keeps b_hn there


def test_carry_helpers_swap_h_and_c():
    h, c = np.ones((1, 3, 6), np.float32), np.zeros((1, 3, 6), np.float32)
    ours = carry_from_torch(h, c)
    assert_bitwise(ours, (jnp.zeros((3, 6)), jnp.ones((3, 6))))  # (c, h)
    assert_bitwise(carry_to_torch(ours), (h, c))
    assert_bitwise(carry_from_torch(h), jnp.ones((3, 6)))  # GRU: just h
    assert_bitwise(carry_to_torch(carry_from_torch(h)), h)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_same_outputs_as_torch(case, torch):
    """torch's weights in purejax's RNN and in flax.linen's: the same outputs and final states."""
    got = from_torch(case, torch)
    assert_bitwise(*got["weights"])
    assert_forward_close(*got["purejax"])
    assert_forward_close(*got["flax"])


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_torch_loaded_with_ours_gives_our_outputs(case, torch):
    assert_forward_close(*round_trip(case, torch)["torch"])


def test_torch_cells_one_step(torch):
    """`nn.LSTMCell` / `nn.GRUCell` names (no `_l0`): one step equals our cell's, carry `(h, c)` vs `(c, h)`."""
    torch.manual_seed(1)
    x = np.random.default_rng(3).standard_normal((3, 4)).astype(np.float32)
    h, c = np.random.default_rng(4).standard_normal((2, 3, 5)).astype(np.float32)
    lstm = torch.nn.LSTMCell(4, 5)
    with torch.no_grad():
        h1, c1 = lstm(torch.from_numpy(x), (torch.from_numpy(h), torch.from_numpy(c)))
    variables = lstm_from_torch({k: v.numpy() for k, v in lstm.state_dict().items()})
    cell_v = {"params": variables["params"]["cell"]}
    assert_forward_close(LSTMCell(5).apply(cell_v, (c, h), x), ((c1.numpy(), h1.numpy()), h1.numpy()))
    lstm.load_state_dict({k: torch.from_numpy(v) for k, v in lstm_to_torch(cell_v, cell=True).items()})
    gru = torch.nn.GRUCell(4, 5)
    with torch.no_grad():
        h1 = gru(torch.from_numpy(x), torch.from_numpy(h)).numpy()
    cell_v = {"params": gru_from_torch({k: v.numpy() for k, v in gru.state_dict().items()})["params"]["cell"]}
    assert_forward_close(GRUCell(5).apply(cell_v, h, x), (h1, h1))
    gru.load_state_dict({k: torch.from_numpy(v) for k, v in gru_to_torch(cell_v, cell=True).items()})


def test_stacked_bidirectional_as_the_errors_advise(torch):
    """num_layers=2, bidirectional=True: per layer and direction, keys renamed to `_l0`, then
    `Bidirectional(RNN, RNN)` per layer, each on the last one's outputs."""
    torch.manual_seed(2)
    module = torch.nn.LSTM(6, 3, num_layers=2, bidirectional=True, batch_first=True)  # in = 2 * hidden: one trace
    x = np.random.default_rng(5).standard_normal((3, 5, 6)).astype(np.float32)
    with torch.no_grad():
        want = module(torch.from_numpy(x))[0].numpy()  # [batch, time, 2 * hidden]
    sd = {k: v.numpy() for k, v in module.state_dict().items()}
    apply = jax.jit(Bidirectional(RNN(LSTMCell(3)), RNN(LSTMCell(3))).apply)
    y = jnp.asarray(x)
    for i in range(2):
        part = {
            d: lstm_from_torch({k.replace(f"_l{i}{s}", "_l0"): v for k, v in sd.items() if k.endswith(f"_l{i}{s}")})
            for d, s in (("forward_rnn", ""), ("backward_rnn", "_reverse"))
        }
        y = apply({"params": {d: v["params"] for d, v in part.items()}}, y)  # the last layer's outputs
    assert_forward_close(y, want)


_SD_LSTM = numpy_state_dict(4, 4, 6)
_SD_GRU = numpy_state_dict(3, 4, 6)
_V_LSTM = lstm_from_torch(_SD_LSTM)
_V_GRU = gru_from_torch(_SD_GRU)


def _with(sd, **changes):
    """`sd` with keys replaced (a value), removed (None) or set to None (`...`)."""
    sd = {**sd, **changes}
    return {k: None if v is ... else v for k, v in sd.items() if v is not None}


def _cell_with(variables, name, **leaves):
    """`variables` with leaves of sublayer `name` replaced (a value), removed (None) or set to None (`...`)."""
    cell = {**variables["params"]["cell"], name: {**variables["params"]["cell"][name], **leaves}}
    return {
        "params": {
            "cell": {k: {n: None if a is ... else a for n, a in v.items() if a is not None} for k, v in cell.items()}
        }
    }


_Z = np.zeros(24, np.float32)
ERRORS = [
    (
        lambda: lstm_from_torch({**_SD_LSTM, **{k[:-1] + "1": v for k, v in _SD_LSTM.items()}}),
        "lstm_from_torch: 'bias_hh_l1' comes from num_layers > 1",
    ),
    (
        lambda: gru_from_torch({**_SD_GRU, **{k + "_reverse": v for k, v in _SD_GRU.items()}}),
        "gru_from_torch: 'bias_hh_l0_reverse' comes from bidirectional=True",
    ),
    (
        lambda: lstm_from_torch(_with(_SD_LSTM, weight_hr_l0=np.zeros((3, 6), np.float32))),
        "lstm_from_torch: 'weight_hr_l0' comes from proj_size > 0",
    ),
    (lambda: lstm_from_torch(_with(_SD_LSTM, weight_hh_l0=None)), "missing ['weight_hh_l0']"),
    (lambda: gru_from_torch(_with(_SD_GRU, bias_hh_l0=None)), "unknown [], missing ['bias_hh_l0']"),
    (lambda: lstm_from_torch(_with(_SD_LSTM, extra=_Z)), "unknown ['extra']"),
    (lambda: lstm_from_torch(_with(_SD_LSTM, weight_ih=_SD_LSTM["weight_ih_l0"])), "unknown ['weight_ih']"),
    (
        lambda: lstm_from_torch(_with(_SD_LSTM, weight_ih_l0=np.zeros((10, 4), np.float32))),
        "lstm_from_torch: 'weight_ih_l0' must be [4 * hidden, in] (4 gates stacked), got [10, 4]",
    ),
    (
        lambda: gru_from_torch(_with(_SD_GRU, weight_ih_l0=np.zeros((16, 4), np.float32))),
        "gru_from_torch: 'weight_ih_l0' must be [3 * hidden, in] (3 gates stacked), got [16, 4]",
    ),
    (
        lambda: lstm_from_torch(_with(_SD_LSTM, weight_hh_l0=np.zeros((24, 5), np.float32))),
        "lstm_from_torch: 'weight_hh_l0' must be [24, 6] for hidden=6 (from 'weight_ih_l0' [24, 4]), got [24, 5]",
    ),
    (lambda: gru_from_torch(_with(_SD_GRU, bias_ih_l0=_Z)), "'bias_ih_l0' must be [18] for hidden=6"),
    (
        lambda: lstm_to_torch(_V_GRU),
        "lstm_to_torch: expected the sublayers ['hf', 'hg', 'hi', 'ho', 'if', 'ig', "
        "'ii', 'io'], got ['hn', 'hr', 'hz', 'in', 'ir', 'iz']",
    ),
    (
        lambda: lstm_to_torch({"params": {k: v for k, v in _V_LSTM["params"]["cell"].items() if k != "hf"}}),
        "missing ['hf'], unknown []",
    ),
    (
        lambda: lstm_to_torch(_cell_with(_V_LSTM, "hf", kernel=np.zeros((5, 6), np.float32))),
        "lstm_to_torch: 'hf' must hold kernel [6, 6], bias [6] (hidden=6), got kernel [5, 6], bias [6]",
    ),
    (
        lambda: lstm_to_torch(_cell_with(_V_LSTM, "ig", kernel=np.zeros((3, 6), np.float32))),
        "'ig' must hold kernel [4, 6] (hidden=6), got kernel [3, 6]",
    ),
    (lambda: lstm_to_torch(_cell_with(_V_LSTM, "ho", bias=None)), "'ho' must hold kernel [6, 6], bias [6]"),
    (
        lambda: gru_to_torch(_cell_with(_V_GRU, "hr", bias=np.zeros(6, np.float32))),
        "gru_to_torch: 'hr' must hold kernel [6, 6] (hidden=6), got kernel [6, 6], bias [6]",
    ),
    (lambda: gru_to_torch({"cell": _V_GRU["params"]["cell"]}), "gru_to_torch: expected variables {'params'"),
    (lambda: lstm_to_torch(_V_LSTM, bias=False), "lstm_to_torch: bias=False, but the biases are not all zero"),
    (
        lambda: carry_from_torch(np.zeros((2, 3, 6)), np.zeros((2, 3, 6))),
        "carry_from_torch: expected [1, batch, hidden] (num_layers * num_directions = 1), got [[2, 3, 6], [2, 3, 6]]",
    ),
    (lambda: carry_to_torch((_Z, _Z, _Z)), "carry_to_torch: expected (c, h) or h, got a tuple of 3"),
]


@pytest.mark.parametrize("call,message", ERRORS, ids=[m[:40] for _, m in ERRORS])
def test_errors(call, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        call()


# --- bad input: one row per argument, each naming the function and the argument ---------------------

_H, _C = np.zeros((1, 3, 6), np.float32), np.zeros((1, 3, 6), np.float32)
_CARRY = (np.zeros((3, 6), np.float32), np.zeros((3, 6), np.float32))  # (c, h)
LF, GF, LT, GT = (
    f"purejax.convert.{n}" for n in ("lstm_from_torch", "gru_from_torch", "lstm_to_torch", "gru_to_torch")
)
CF, CT = "purejax.convert.carry_from_torch", "purejax.convert.carry_to_torch"

BAD_INPUT = [  # (id, call, error, fragments: the function, the argument, what came)
    ("lstm_from/state_dict None", lambda: lstm_from_torch(None), TypeError, LF, "state_dict", "got None"),
    ("lstm_from/state_dict list", lambda: lstm_from_torch([1, 2]), TypeError, LF, "state_dict", "list"),
    ("lstm_from/a None array", lambda: lstm_from_torch(_with(_SD_LSTM, bias_ih_l0=...)), TypeError, LF, "bias_ih_l0"),
    ("lstm_from/a string", lambda: lstm_from_torch(_with(_SD_LSTM, weight_ih_l0="w")), TypeError, LF, "weight_ih_l0"),
    (
        "lstm_from/int weights",
        lambda: lstm_from_torch(_with(_SD_LSTM, weight_hh_l0=np.zeros((24, 6), int))),
        TypeError,
        LF,
        "weight_hh_l0",
        "a floating array",
    ),
    ("lstm_from/missing key", lambda: lstm_from_torch(_with(_SD_LSTM, weight_ih_l0=None)), ValueError, LF, "missing"),
    ("lstm_from/extra key", lambda: lstm_from_torch(_with(_SD_LSTM, extra=_Z)), ValueError, LF, "unknown ['extra']"),
    (
        "lstm_from/wrong shape",
        lambda: lstm_from_torch(_with(_SD_LSTM, bias_hh_l0=np.zeros(20, np.float32))),
        ValueError,
        LF,
        "'bias_hh_l0' must be [24]",
    ),
    ("gru_from/state_dict None", lambda: gru_from_torch(None), TypeError, GF, "state_dict"),
    ("gru_from/a None array", lambda: gru_from_torch(_with(_SD_GRU, weight_hh_l0=...)), TypeError, GF, "weight_hh_l0"),
    ("gru_from/wrong shape", lambda: gru_from_torch(_with(_SD_GRU, weight_hh_l0=_Z)), ValueError, GF, "weight_hh_l0"),
    ("lstm_to/variables None", lambda: lstm_to_torch(None), TypeError, LT, "variables", "got None"),
    (
        "lstm_to/variables['params'] alone",
        lambda: lstm_to_torch(_V_LSTM["params"]),
        ValueError,
        LT,
        "without 'params'",
        "pass {'params': ...}",
    ),
    ("lstm_to/a None kernel", lambda: lstm_to_torch(_cell_with(_V_LSTM, "hf", kernel=...)), TypeError, LT, "hf/kernel"),
    ("lstm_to/sublayer not a dict", lambda: lstm_to_torch(_sublayer(_V_LSTM, "ig", _Z)), TypeError, LT, "'ig'"),
    ("lstm_to/bias str", lambda: lstm_to_torch(_V_LSTM, bias="no"), TypeError, LT, "bias", "str 'no'"),
    ("lstm_to/cell int", lambda: lstm_to_torch(_V_LSTM, cell=1), TypeError, LT, "cell", "int 1"),
    ("gru_to/variables list", lambda: gru_to_torch([_V_GRU]), TypeError, GT, "variables"),
    ("gru_to/a None bias", lambda: gru_to_torch(_cell_with(_V_GRU, "hn", bias=...)), TypeError, GT, "hn/bias"),
    ("gru_to/bias None", lambda: gru_to_torch(_V_GRU, bias=None), TypeError, GT, "bias"),
    ("gru_to/cell str", lambda: gru_to_torch(_V_GRU, cell="True"), TypeError, GT, "cell"),
    ("carry_from/h None", lambda: carry_from_torch(None), TypeError, CF, "h must", "None"),
    ("carry_from/c string", lambda: carry_from_torch(_H, "c"), TypeError, CF, "c must", "str"),
    ("carry_from/h ints", lambda: carry_from_torch(np.zeros((1, 3, 6), int)), TypeError, CF, "h must", "floating"),
    (
        "carry_from/batch sizes",
        lambda: carry_from_torch(_H, np.zeros((1, 4, 6), np.float32)),
        ValueError,
        CF,
        "h and c must have the same shape",
        "h [1, 3, 6], c [1, 4, 6]",
    ),
    (
        "carry_from/hidden sizes",
        lambda: carry_from_torch(np.zeros((1, 3, 5), np.float32), _C),
        ValueError,
        CF,
        "h [1, 3, 5], c [1, 3, 6]",
    ),
    (
        "carry_from/layers",
        lambda: carry_from_torch(np.zeros((2, 3, 6), np.float32)),
        ValueError,
        CF,
        "[2, 3, 6]",
        "pass h of one layer",
    ),
    ("carry_from/rank 4", lambda: carry_from_torch(np.zeros((1, 1, 3, 6), np.float32)), ValueError, CF, "[1, 1, 3, 6]"),
    ("carry_to/None", lambda: carry_to_torch(None), TypeError, CT, "carry must", "None"),
    ("carry_to/(None, h)", lambda: carry_to_torch((None, _CARRY[1])), TypeError, CT, "c (carry[0])", "None"),
    ("carry_to/string", lambda: carry_to_torch("h"), TypeError, CT, "carry must"),
    (
        "carry_to/hidden sizes",
        lambda: carry_to_torch((_CARRY[0], np.zeros((3, 5), np.float32))),
        ValueError,
        CT,
        "c (carry[0]) and h (carry[1]) must have the same shape",
        "c (carry[0]) [3, 6], h (carry[1]) [3, 5]",
    ),
    ("carry_to/three parts", lambda: carry_to_torch(_CARRY * 2), ValueError, CT, "(c, h) or h", "tuple of 4"),
    ("carry_to/rank 3", lambda: carry_to_torch(_H), ValueError, CT, "[batch, hidden]", "[1, 3, 6]", "pass carry"),
]


def _sublayer(variables, name, value):
    return {"params": {"cell": {**variables["params"]["cell"], name: value}}}


@pytest.mark.parametrize("call,error,fragments", [r[1:3] + (r[3:],) for r in BAD_INPUT], ids=[r[0] for r in BAD_INPUT])
def test_bad_input_is_refused_naming_the_function_and_the_argument(call, error, fragments):
    assert_refused(call, error, *fragments)


def test_an_ordered_dict_and_unbatched_carries_are_accepted():
    """torch's `state_dict()` is an OrderedDict; PyTorch's unbatched carries are [1, hidden]."""
    import collections

    assert_bitwise(lstm_from_torch(collections.OrderedDict(_SD_LSTM)), _V_LSTM)
    c, h = carry_from_torch(np.ones((1, 6), np.float32), np.zeros((1, 6), np.float32))
    assert (c.shape, h.shape) == ((6,), (6,))
    assert [x.shape for x in carry_to_torch((c, h))] == [(1, 6), (1, 6)]
