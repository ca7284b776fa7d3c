"""NovoGrad: gradients normalized per layer by an EMA of their squared norm, then momentum.

`scale_by_novograd` is the building block, with the state `ScaleByNovogradState(count, mu, nu)`:
one scalar second moment per layer (each leaf of the tree is a layer), where Adam keeps one per
element. `novograd` chains it with `scale_by_learning_rate`; the math is in its docstring.

Counterpart: `optax.scale_by_novograd`, `optax.ScaleByNovogradState` (optax/_src/transform.py);
`optax.novograd` (optax/_src/alias.py). Same argument names, order and defaults.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
from jax import lax

from purejax import tree
from purejax.checks import check_dtype, check_number
from purejax.optim.base import GradientTransformation, chain, check_params, check_state, named, where
from purejax.optim.transforms.scaling import ScalarOrSchedule, check_learning_rate, scale_by_learning_rate
from purejax.optim.tree_math import canonical_dtype, cast_tree, check_same_structure, safe_increment, zeros_like


class ScaleByNovogradState(NamedTuple):
    count: jax.Array  # shape=(), dtype=int32
    mu: Any  # first moment, a tree like params
    nu: Any  # second moment: one scalar per leaf, shape=()


@named
def scale_by_novograd(
    b1=0.9, b2=0.25, eps=1e-8, eps_root=0.0, weight_decay=0.0, mu_dtype=None
) -> GradientTransformation:
    """NovoGrad: normalize each layer's gradient by an EMA of its squared norm, then add momentum.

    The math is `novograd`'s without `-lr_t`: the first step takes `v_1 = ||g_1||**2` and the
    first normalized gradient as they are; the momentum has no `1 - b1` factor.

    Args:
      b1: scalar, decay of the first moment.
      b2: scalar, decay of the per-layer second moment.
      eps: scalar added outside the square root.
      eps_root: scalar added inside the square root.
      weight_decay: scalar; decay added to the normalized gradient (so it is momentum-smoothed).
      mu_dtype: dtype of the first moment; None keeps the params'.

    Returns:
      A `GradientTransformation` with state `ScaleByNovogradState(count, mu, nu)`; `update`
      needs `params`.

    Counterpart: `optax.scale_by_novograd` (optax/_src/transform.py).

    References:
      Boris Ginsburg et al., *Stochastic Gradient Methods with Layer-wise Adaptive Moments for
      Training of Deep Networks*, 2019. https://arxiv.org/abs/1905.11286
    """
    w = where("scale_by_novograd")
    for name, value in (("b1", b1), ("b2", b2), ("eps", eps), ("eps_root", eps_root), ("weight_decay", weight_decay)):
        check_number(w, name, value)
    mu_dtype = canonical_dtype(check_dtype(w, "mu_dtype", mu_dtype, optional=True))

    def init_fn(params):
        nu = tree.map(lambda p: jnp.asarray(0.0, dtype=p.dtype), params)  # shape=() per leaf
        return ScaleByNovogradState(count=jnp.zeros([], jnp.int32), mu=zeros_like(params, mu_dtype), nu=nu)

    def layer_norm_sq(g):
        return jnp.linalg.norm(g) ** 2  # ||g||**2 of one layer

    def normalize(g, p, v):
        return g / (jnp.sqrt(v + eps_root) + eps) + weight_decay * p  # g / sqrt(nu) + decay * p

    def update_fn(updates, state, params=None):
        check_state("scale_by_novograd", state, ScaleByNovogradState)
        check_params("scale_by_novograd", params, updates)
        check_same_structure("scale_by_novograd", updates, state.mu)
        count_inc = safe_increment(state.count)
        first = count_inc == 1
        # Each branch computes its own norms, as Optax's lax.cond branches do: XLA then reduces
        # them the same way on both sides, which keeps the two bitwise equal.
        nu = lax.cond(
            first,  # second moment: the first ||g||**2 as is, then an EMA
            lambda g, v: tree.map(lambda a, b: layer_norm_sq(a).astype(b.dtype), g, v),
            lambda g, v: tree.map(lambda a, b: (1 - b2) * layer_norm_sq(a) + b2 * b, g, v),
            updates,
            state.nu,
        )
        mu = lax.cond(
            first,  # first moment: the first normalized gradient as is, then momentum
            lambda g, p, m, v: tree.map(normalize, g, p, v),
            lambda g, p, m, v: tree.map(lambda a, b: b1 * a + b, m, tree.map(normalize, g, p, v)),
            updates,
            params,
            state.mu,
            nu,
        )
        mu = cast_tree(mu, mu_dtype)
        return mu, ScaleByNovogradState(count=count_inc, mu=mu, nu=nu)

    return GradientTransformation(init_fn, update_fn)


@named
def novograd(
    learning_rate: ScalarOrSchedule, b1=0.9, b2=0.25, eps=1e-6, eps_root=0.0, weight_decay=0.0
) -> GradientTransformation:
    """NovoGrad: gradients normalized per layer by an EMA of their squared norm, then momentum.

        v_t = b2 * v_{t-1} + (1 - b2) * ||g_t||**2             # one scalar per leaf; v_1 = ||g_1||**2
        m_t = b1 * m_{t-1} + g_t / (sqrt(v_t + eps_root) + eps) + weight_decay * p_t  # m_1 = that sum
        u_t = -lr_t * m_t

    Args:
      learning_rate: a number or a schedule.
      b1: scalar, momentum; b2: scalar, decay of the per-layer second moment.
      eps, eps_root: scalars outside / inside the square root.
      weight_decay: scalar, added to the normalized gradient (inside the momentum).

    Returns:
      A `GradientTransformation`; `update` needs `params`.

    Counterpart: `optax.novograd` (optax/_src/alias.py).

    References:
      Boris Ginsburg et al., *Stochastic Gradient Methods with Layer-wise Adaptive Moments for
      Training of Deep Networks*, 2019. https://arxiv.org/abs/1905.11286

    PyTorch: not in `torch.optim`; NVIDIA Apex's `FusedNovoGrad` has the same rule (with an
    optional `(1 - b1)` gradient averaging).

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> params = {'w': jnp.array([1.0, -2.0])}
      >>> opt = optim.novograd(learning_rate=0.1)
      >>> state = opt.init(params)
      >>> updates, state = opt.update({'w': jnp.array([0.5, -0.5])}, state, params)
      >>> [round(w, 3) for w in optim.apply_updates(params, updates)['w'].tolist()]
      [0.929, -1.929]
    """
    return chain(
        scale_by_novograd(b1=b1, b2=b2, eps=eps, eps_root=eps_root, weight_decay=weight_decay),
        scale_by_learning_rate(check_learning_rate(learning_rate)),
    )
