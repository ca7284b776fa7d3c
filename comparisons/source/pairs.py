"""The pairs `source NAME` can show (`PAIRS`), and loading a pair's two sides as blocks.

A side is a file of this repository (`"purejax/models/mlp.py"`) or a tuple of dotted names whose
sources (`inspect.getsource`: the installed library's own text) follow one another, each under a
comment naming its file and first line. `"pkg.mod.obj as name"` pairs an object with a
differently named one on the other side (JAX's `_threefry2x32_lowering` with our
`threefry2x32_words`). `"purejax.optim:adam"` (pkgutil's `module:attribute` form) is the name
the package exports, where the dotted `purejax.optim.adam` would find the module
`purejax/optim/adam.py` first (each optimizer's file is named after it). Every model in
`purejax.models.MODELS` is a pair of files; the layers, optimizers, PRNG and pytree pieces are
pairs of dotted names.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import inspect
import pkgutil
import sys
import textwrap
from pathlib import Path

from comparisons.source.blocks import Side, parse_blocks
from purejax.models import MODELS

ROOT = Path(__file__).resolve().parents[2]  # the repository (or site-packages, when installed)

_MODEL_NOTES = {
    "linear_regression": "Dense(1), mean squared error, SGD",
    "mlp": "multilayer perceptron classifier",
    "cnn": "convolutional classifier",
    "resnet": "residual network",
    "lstm_classifier": "LSTM sequence classifier",
    "lstm_lm": "LSTM language model",
    "vae": "variational autoencoder",
    "mdn": "mixture density network",
    "transformer_lm": "Transformer language model: causal attention, cached sampling",
}

# name -> (left, right, description); a side is a repository file or a tuple of dotted names.
PAIRS: dict[str, tuple[str | tuple[str, ...], str | tuple[str, ...], str]] = {
    **{
        name: (
            f"purejax/models/{name}.py",
            f"flaxed/models/{name}.py",
            f"model: {_MODEL_NOTES.get(name, name)} (purejax vs Flax + Optax)",
        )
        for name in MODELS
    },
    "transfer": (
        "purejax/models/transfer.py",
        "flaxed/models/transfer.py",
        "program: transfer learning, a frozen CNN backbone and a new head (purejax vs Flax + Optax)",
    ),
    "lstm": (("purejax.nn.LSTMCell",), ("flax.linen.LSTMCell",), "LSTM cell: four gates, carry (c, h)"),
    "optimized_lstm": (
        ("purejax.nn.OptimizedLSTMCell",),
        ("flax.linen.OptimizedLSTMCell",),
        "LSTM cell with the four gates' matmuls fused",
    ),
    "gru": (("purejax.nn.GRUCell",), ("flax.linen.GRUCell",), "GRU cell: reset and update gates"),
    "mgu": (("purejax.nn.MGUCell",), ("flax.linen.MGUCell",), "minimal gated unit: one forget gate"),
    "simple_cell": (("purejax.nn.SimpleCell",), ("flax.linen.SimpleCell",), "Elman cell: h = tanh(x W + h U + b)"),
    "conv_lstm": (("purejax.nn.ConvLSTMCell",), ("flax.linen.ConvLSTMCell",), "LSTM cell with convolutions"),
    "rnn": (("purejax.nn.RNN",), ("flax.linen.RNN",), "a cell scanned over time (lax.scan vs nn.scan)"),
    "bidirectional": (
        ("purejax.nn.Bidirectional",),
        ("flax.linen.Bidirectional",),
        "forward and backward RNNs, outputs merged",
    ),
    "dense": (("purejax.nn.linear.dense_params", "purejax.nn.Dense"), ("flax.linen.Dense",), "x @ kernel + bias"),
    "dense_general": (("purejax.nn.DenseGeneral",), ("flax.linen.DenseGeneral",), "Dense over several axes"),
    "embed": (("purejax.nn.Embed",), ("flax.linen.Embed",), "a lookup table of vectors"),
    "conv": (("purejax.nn.Conv",), ("flax.linen.Conv",), "N-d convolution"),
    "conv_transpose": (("purejax.nn.ConvTranspose",), ("flax.linen.ConvTranspose",), "transposed convolution"),
    "layer_norm": (("purejax.nn.LayerNorm",), ("flax.linen.LayerNorm",), "normalize over the features"),
    "rms_norm": (("purejax.nn.RMSNorm",), ("flax.linen.RMSNorm",), "scale by the root mean square"),
    "group_norm": (("purejax.nn.GroupNorm",), ("flax.linen.GroupNorm",), "normalize over groups of channels"),
    "batch_norm": (("purejax.nn.BatchNorm",), ("flax.linen.BatchNorm",), "batch statistics, running averages"),
    "dropout": (("purejax.nn.Dropout",), ("flax.linen.Dropout",), "random zeros, rescaled survivors"),
    "attention": (
        ("purejax.nn.attention",),
        ("flax.linen.attention",),
        "dot-product attention, masks, MultiHeadDotProductAttention and its decoding cache",
    ),
    "adam": (
        ("purejax.optim:adam", "purejax.optim:ScaleByAdamState", "purejax.optim:scale_by_adam"),
        ("optax.adam", "optax.ScaleByAdamState", "optax.scale_by_adam"),
        "Adam: the alias and its building block",
    ),
    "adamw": (
        ("purejax.optim:adamw", "purejax.optim:add_decayed_weights"),
        ("optax.adamw", "optax.add_decayed_weights"),
        "Adam with decoupled weight decay",
    ),
    "sgd": (("purejax.optim:sgd", "purejax.optim:trace"), ("optax.sgd", "optax.trace"), "SGD with optional momentum"),
    "rmsprop": (
        ("purejax.optim:rmsprop", "purejax.optim:scale_by_rms"),
        ("optax.rmsprop", "optax.scale_by_rms"),
        "RMSProp: divide by a running RMS",
    ),
    "chain": (
        ("purejax.optim:GradientTransformation", "purejax.optim:chain"),
        ("optax.GradientTransformation", "optax.chain"),
        "the optimizer interface and its composition",
    ),
    "threefry": (
        (
            "purejax.random.threefry._rotate_left",
            "purejax.random.threefry.threefry2x32_words",
            "purejax.random.threefry_2x32",
        ),
        (
            "jax._src.random.threefry2x32._make_rotate_left as _rotate_left",
            "jax._src.random.threefry2x32.apply_round",
            "jax._src.random.threefry2x32.rolled_loop_step",
            "jax._src.random.threefry2x32._threefry2x32_lowering as threefry2x32_words",
            "jax._src.random.threefry2x32.threefry_2x32",
        ),
        "the Threefry-2x32 block cipher (JAX's rounds are a primitive's lowering)",
    ),
    "split": (
        ("purejax.random.keys.iota_2x32", "purejax.random.split"),
        (
            "jax._src.random.prng.iota_2x32_shape as iota_2x32",
            "jax.random.split",
            "jax._src.random.core._split",
            "jax._src.random.threefry2x32.threefry_split",
            "jax._src.random.threefry2x32._threefry_split",
            "jax._src.random.threefry2x32._threefry_split_foldlike",
        ),
        "key splitting: one function here, JAX's layers down to the cipher",
    ),
    "tree_flatten": (
        ("purejax.tree.flatten", "purejax.tree.treedef._flatten"),
        ("jax.tree_util.tree_flatten as flatten",),
        "pytree flattening (JAX's traversal itself is C++, jaxlib's pytree module)",
    ),
}


class UnknownName(ValueError):
    """`source NAME` with a NAME that is not in `PAIRS`."""


def _display_path(obj) -> str:
    """`optax/_src/alias.py (optax 0.2.8)`: the file relative to its top-level package's parent."""
    file = Path(inspect.getsourcefile(obj)).resolve()
    top = inspect.getmodule(obj).__name__.split(".")[0]
    top_file = getattr(sys.modules[top], "__file__", None)  # None for a namespace package
    try:
        path = file.relative_to(Path(top_file).resolve().parent.parent).as_posix() if top_file else str(file)
    except ValueError:
        path = str(file)
    try:
        return path if top == "purejax" else f"{path} ({top} {importlib.metadata.version(top)})"
    except importlib.metadata.PackageNotFoundError:
        return path


def load_side(spec: str | tuple[str, ...]) -> Side:
    """A `Side` from a repository file or from dotted names (`"optax.adam"`, `"x.y as name"`)."""
    if isinstance(spec, str):
        top = importlib.util.find_spec(spec.split("/")[0])  # purejax/..., flaxed/...: where that package is
        base = Path(top.origin).parent.parent if top is not None and top.origin else ROOT
        path = base / spec
        if not path.is_file():
            raise FileNotFoundError(
                f"{spec} does not exist (looked in {base}); the pair is listed in "
                "comparisons/source/pairs.py PAIRS but its file has not been written yet"
            )
        return Side([spec], parse_blocks(path.read_text(encoding="utf-8")))
    labels, blocks = [], []
    for item in spec:
        dotted, _, alias = (part.strip() for part in item.partition(" as "))
        try:
            obj = inspect.unwrap(pkgutil.resolve_name(dotted))  # jax.jit's wrapper -> the Python function
            source_lines, first = inspect.getsourcelines(obj)
        except (AttributeError, OSError, TypeError) as e:  # (ModuleNotFoundError passes: a library is missing)
            raise LookupError(f"no Python source for {dotted}: {e}") from e
        label = _display_path(obj)
        labels += [label] if label not in labels else []
        new = parse_blocks(textwrap.dedent("".join(source_lines)), max(first, 1))
        for block in new:
            if alias and block.key == getattr(obj, "__name__", None):
                block.key = alias
            block.blank_before = 1 if blocks else 0
        if new:  # a heading comment: where this object comes from
            new[0].lines.insert(0, f"# {dotted}, {label.split(' (')[0]}:{first}")
            new[0].numbers.insert(0, None)
            new[0].lead += 1
        blocks += new
    return Side(labels, blocks)


def load(name: str, flax: str = "linen") -> tuple[Side, Side, str]:
    """`(left, right, description)` for a name in `PAIRS`; `flax="nnx"`: a model beside `flaxed/nnx/NAME.py`."""
    if name not in PAIRS:
        raise UnknownName(f"source: no pair named {name!r}; choose one of: {', '.join(PAIRS)}")
    left, right, description = PAIRS[name]
    if flax == "nnx":
        if name not in MODELS:
            raise UnknownName(
                f"source {name} --flax nnx: the NNX versions are the models' ({', '.join(MODELS)}); "
                f"leave out --flax to see {name} beside its counterpart"
            )
        right, description = (
            f"flaxed/nnx/{name}.py",
            f"model: {_MODEL_NOTES.get(name, name)} (purejax vs Flax NNX + Optax)",
        )
    return load_side(left), load_side(right), description


def listing() -> str:
    """One line per pair: its name and description."""
    return "\n".join(f"{name:19s} {description}" for name, (_, _, description) in PAIRS.items())
