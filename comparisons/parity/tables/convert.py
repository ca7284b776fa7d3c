"""Parity of purejax.convert against PyTorch: `torch.nn.LSTM`/`GRU` weights run by `RNN(LSTMCell/GRUCell)`.

Every case builds a one-layer torch module under `torch.manual_seed(SEED)`, converts its state
dict with `lstm_from_torch`/`gru_from_torch`, and runs the same inputs (and, where the case says
so, the same initial state, converted with `carry_from_torch`) through torch, `purejax.nn.RNN` and
`flax.linen.RNN`: outputs and final carries must agree within rtol 1e-5, atol 1e-6. The weights
must survive `to_torch(from_torch(...))` bitwise. The round trip starts from purejax's own init
(random biases): `from_torch(to_torch(v))` gives `v` back bitwise, and torch loaded with
`to_torch(v)` reproduces our outputs. The RNNs run under `jit`, traced once per layer and shape.
Without torch, the torch parts are skipped and the rows say so. The tests (tests/purejax/test_convert.py)
run the same table.
"""

from __future__ import annotations

import functools
from types import SimpleNamespace
from typing import NamedTuple

import flax.linen
import jax
import jax.numpy as jnp
import numpy as np

from comparisons.parity.measures import FORWARD_ATOL, FORWARD_RTOL, describe_rel, describe_ulp, tree_rel, tree_ulp
from comparisons.parity.rows import Check, Row, check_tier, of, settings
from purejax import convert
from purejax.nn import RNN, GRUCell, LSTMCell, OptimizedLSTMCell, initializers

SEED = 0  # torch.manual_seed: the torch module's weights
KEY = jax.random.PRNGKey(0)  # our init, for the round trip
BATCH, TIME = 3, 5
SKIPPED = "skipped: torch not installed"

_CELLS = ("LSTMCell", "OptimizedLSTMCell", "GRUCell")
OURS = SimpleNamespace(RNN=RNN, LSTMCell=LSTMCell, OptimizedLSTMCell=OptimizedLSTMCell, GRUCell=GRUCell)
THEIRS = SimpleNamespace(RNN=flax.linen.RNN, **{n: getattr(flax.linen, n) for n in _CELLS})
FROM_TORCH = {"lstm": convert.lstm_from_torch, "gru": convert.gru_from_torch}
TO_TORCH = {"lstm": convert.lstm_to_torch, "gru": convert.gru_to_torch}


class Case(NamedTuple):
    kind: str  # "lstm" (torch.nn.LSTM) or "gru" (torch.nn.GRU)
    in_features: int = 4
    features: int = 6  # the hidden size
    bias: bool = True  # torch's bias=...; without it the converted biases are zero
    initial_carry: bool = False  # start from a random (h_0, c_0) instead of zeros
    batch_first: bool = True  # False: torch's default time-major layout, RNN(time_major=True)
    cell: str = ""  # the cell fed the converted variables; default LSTMCell / GRUCell
    label: str = ""


CASES = (  # most share in 4, hidden 6: each new shape costs compilations
    Case("lstm"),
    Case("lstm", initial_carry=True, label="initial carry"),
    Case("lstm", bias=False, initial_carry=True, label="bias=False"),
    Case("lstm", 7, 3, initial_carry=True, label="in 7 hidden 3"),
    Case("lstm", initial_carry=True, cell="OptimizedLSTMCell", label="OptimizedLSTMCell"),
    Case("lstm", batch_first=False, initial_carry=True, label="time-major"),
    Case("gru"),
    Case("gru", initial_carry=True, label="initial carry"),
    Case("gru", bias=False, label="bias=False"),
    Case("gru", 7, 3, bias=False, initial_carry=True, label="bias=False in 7 hidden 3"),
    Case("gru", batch_first=False, initial_carry=True, label="time-major"),
)


def case_id(i: int, case: Case) -> str:
    return f"{case.kind}_{i}" + (f"_{case.label}" if case.label else "").replace(" ", "_").replace("=", "")


def import_torch():
    """The `torch` module, or None when it is not installed."""
    try:
        import torch
    except ImportError:
        return None
    return torch


def cell_name(case: Case) -> str:
    return case.cell or ("LSTMCell" if case.kind == "lstm" else "GRUCell")


def inputs(case: Case) -> np.ndarray:
    """float32 inputs in torch's layout: `[batch, time, in]`, or `[time, batch, in]` if not batch_first."""
    shape = (BATCH, TIME) if case.batch_first else (TIME, BATCH)
    return np.random.default_rng(1).standard_normal(shape + (case.in_features,)).astype(np.float32)


def torch_state(case: Case):
    """torch's initial state, `(h_0, c_0)` (LSTM) or `(h_0,)` (GRU), each `[1, batch, hidden]`; or None."""
    if not case.initial_carry:
        return None
    rng = np.random.default_rng(2)
    return tuple(
        rng.standard_normal((1, BATCH, case.features)).astype(np.float32)
        for _ in range(2 if case.kind == "lstm" else 1)
    )


def torch_module(torch, case: Case, state_dict=None):
    """`torch.nn.LSTM`/`GRU(in, hidden)` drawn under `manual_seed(SEED)`, or loaded with `state_dict` (arrays)."""
    torch.manual_seed(SEED)
    module = (torch.nn.LSTM if case.kind == "lstm" else torch.nn.GRU)(
        case.in_features, case.features, bias=case.bias, batch_first=case.batch_first
    )
    if state_dict is not None:
        module.load_state_dict({k: torch.from_numpy(v) for k, v in state_dict.items()})
    return module


def run_torch(torch, module, case: Case) -> tuple:
    """`(final carry in our layout, outputs)` of the torch module on the case's inputs."""
    state = torch_state(case)
    args = (
        ()
        if state is None
        else (tuple(torch.from_numpy(s) for s in state) if case.kind == "lstm" else torch.from_numpy(state[0]),)
    )
    with torch.no_grad():
        outputs, final = module(torch.from_numpy(inputs(case)), *args)
    final = [s.numpy() for s in (final if case.kind == "lstm" else (final,))]
    return convert.carry_from_torch(*final), outputs.numpy()


@functools.cache
def _jitted_apply(package: str, cell: str, features: int, time_major: bool):
    """`jit((variables, x, initial_carry or None) -> (carry, outputs))`; cases sharing one trace it once."""
    m = {"purejax": OURS, "flax": THEIRS}[package]
    layer = m.RNN(getattr(m, cell)(features), return_carry=True, time_major=time_major)
    return jax.jit(lambda variables, x, carry: layer.apply(variables, x, initial_carry=carry))


def run_rnn(package: str, case: Case, variables) -> tuple:
    """`(final carry, outputs)` of `RNN(cell)` from "purejax" or "flax" on the case's inputs and state."""
    state = torch_state(case)
    carry = None if state is None else convert.carry_from_torch(*state)  # None: the cell's own zeros
    apply = _jitted_apply(package, cell_name(case), case.features, not case.batch_first)
    return apply(variables, jnp.asarray(inputs(case)), carry)


def from_torch(case: Case, torch) -> dict:
    """`{'weights': (torch's, ours turned back), 'purejax': (ours, torch's), 'flax': (theirs, torch's)}`.

    Each result is `(final carry, outputs)`; the weights are torch's state dict (biases summed into
    `bias_ih`) and `to_torch(from_torch(state dict))`, to be equal bitwise.
    """
    module = torch_module(torch, case)
    state_dict = {k: v.numpy() for k, v in module.state_dict().items()}
    variables = FROM_TORCH[case.kind](state_dict)
    expected = dict(state_dict)
    if case.bias:  # only the sum is kept, and it comes back in bias_ih
        expected["bias_ih_l0"] = state_dict["bias_ih_l0"] + state_dict["bias_hh_l0"]
        expected["bias_hh_l0"] = np.zeros_like(state_dict["bias_hh_l0"])
        if case.kind == "gru":  # b_hn keeps its place
            expected["bias_ih_l0"][2 * case.features :] = state_dict["bias_ih_l0"][2 * case.features :]
            expected["bias_hh_l0"][2 * case.features :] = state_dict["bias_hh_l0"][2 * case.features :]
    reference = run_torch(torch, module, case)
    return {
        "weights": (expected, TO_TORCH[case.kind](variables, bias=case.bias)),
        "purejax": (run_rnn("purejax", case, variables), reference),
        "flax": (run_rnn("flax", case, variables), reference),
    }


@functools.cache
def our_variables(case: Case) -> dict:
    """`RNN(cell)` variables from purejax's own cell init, with random biases (zero with bias=False).

    The cell is initialized alone (one step, no scan: much faster eagerly) and put under 'cell'.
    """
    bias_init = initializers.normal(1.0) if case.bias else initializers.zeros
    cell = getattr(OURS, cell_name(case))(case.features, bias_init=bias_init)
    x_t = jnp.asarray(inputs(case)[:, 0] if case.batch_first else inputs(case)[0])  # one step, [batch, in]
    return {"params": {"cell": cell.init(KEY, cell.initialize_carry(KEY, x_t.shape), x_t)["params"]}}


def round_trip(case: Case, torch=None) -> dict:
    """`{'variables': (v, from_torch(to_torch(v))), 'torch': (ours, torch loaded with to_torch(v))}`.

    Without the `torch` module, `'torch'` is None: the first half needs no torch.
    """
    variables = our_variables(case)
    state_dict = TO_TORCH[case.kind](variables, bias=case.bias)
    outputs = (
        None
        if torch is None
        else (run_rnn("purejax", case, variables), run_torch(torch, torch_module(torch, case, state_dict), case))
    )
    return {"variables": (variables, FROM_TORCH[case.kind](state_dict)), "torch": outputs}


def forward_rel(ours, theirs) -> float:
    """Largest `|a - b| / max(|b|, atol / rtol)`; at most rtol means `|a - b| <= max(rtol * |b|, atol)`."""
    return tree_rel(ours, theirs, floor=FORWARD_ATOL / FORWARD_RTOL)


SETTINGS = {"quick": 1, "full": None}  # per tier: how many of a row's settings run (None: all)


def _row(component: str, counterpart: str, check: str, measure) -> Row:
    with jax.default_matmul_precision("highest"):
        difference, ok, ulp, rel = measure()
    return Row(component, counterpart, check, difference, ok, ulp=ulp, rel=rel)


def _measure_from(cases: list, torch) -> tuple:
    """`(difference, ok, ulp, rel)` of torch's weights converted and run in both packages' RNN."""
    if torch is None:
        return SKIPPED, True, None, None
    got = [from_torch(c, torch) for c in cases]
    ulp = max(tree_ulp(*g["weights"]) for g in got)
    rel = {n: max(forward_rel(*g[n]) for g in got) for n in ("purejax", "flax")}
    return (
        f"weights {describe_ulp(ulp)}; purejax {describe_rel(rel['purejax'])}, flax {describe_rel(rel['flax'])}",
        ulp == 0 and max(rel.values()) <= FORWARD_RTOL,
        ulp,
        max(rel.values()),
    )


def _measure_to(cases: list, torch) -> tuple:
    """`(difference, ok, ulp, rel)` of our variables converted to torch and back, and run in torch."""
    got = [round_trip(c, torch) for c in cases]
    ulp = max(tree_ulp(*g["variables"]) for g in got)
    if torch is None:
        return f"round trip {describe_ulp(ulp)}; torch outputs {SKIPPED}", ulp == 0, ulp, None
    rel = max(forward_rel(*g["torch"]) for g in got)
    return (
        f"round trip {describe_ulp(ulp)}; torch outputs {describe_rel(rel)}",
        ulp == 0 and rel <= FORWARD_RTOL,
        ulp,
        rel,
    )


def checks(tier: str = "full") -> list[Check]:
    """Two rows per torch module (from torch, to torch); the torch halves skip, saying so, without torch."""
    limit = SETTINGS[check_tier(tier)]
    torch = import_torch()
    rows = []
    for kind, module in (("lstm", "torch.nn.LSTM"), ("gru", "torch.nn.GRU")):
        cases = [c for c in CASES if c.kind == kind]
        chosen = settings(cases, limit)  # default, initial carry, bias=False, sizes, ... (see CASES)
        rows.append(
            Check(
                f"purejax.convert.{kind}_from_torch",
                functools.partial(
                    _row,
                    f"purejax.convert.{kind}_from_torch",
                    module,
                    f"{of(chosen, cases)}: purejax and flax RNN outputs, final carries vs torch "
                    "(|d| / max(|torch|, 0.1)); weights back bitwise",
                    functools.partial(_measure_from, chosen, torch),
                ),
            )
        )
        rows.append(
            Check(
                f"purejax.convert.{kind}_to_torch",
                functools.partial(
                    _row,
                    f"purejax.convert.{kind}_to_torch",
                    f"{module}.load_state_dict",
                    f"{of(chosen, cases)} from our init: from_torch(to_torch(v)) == v; torch loaded with it vs RNN",
                    functools.partial(_measure_to, chosen, torch),
                ),
            )
        )
    return rows
