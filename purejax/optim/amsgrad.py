"""AMSGrad: Adam divided by the running maximum of the second moment, so steps never grow back.

`scale_by_amsgrad` is the building block, with the state `ScaleByAmsgradState(count, mu, nu,
nu_max)`; `amsgrad` chains it with `scale_by_learning_rate`. The math is in `amsgrad`'s docstring.

Counterpart: `optax.scale_by_amsgrad`, `optax.ScaleByAmsgradState` (optax/_src/transform.py);
`optax.amsgrad` (optax/_src/alias.py). Same argument names, order and defaults.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from purejax import tree
from purejax.checks import check_bool, check_dtype, check_number
from purejax.optim.base import GradientTransformation, chain, check_state, named, where
from purejax.optim.transforms.scaling import ScalarOrSchedule, check_learning_rate, scale_by_learning_rate
from purejax.optim.tree_math import (
    adam_moments,
    bias_correction,
    canonical_dtype,
    cast_tree,
    divide_by_root,
    zeros_like,
)


class ScaleByAmsgradState(NamedTuple):
    count: jax.Array  # shape=(), dtype=int32
    mu: Any  # first moment
    nu: Any  # second moment
    nu_max: Any  # running maximum of the (bias-corrected) second moment


@named
def scale_by_amsgrad(
    b1=0.9,
    b2=0.999,
    eps=1e-8,
    eps_root=0.0,
    mu_dtype=None,
    bias_correction_mu: bool = True,
    bias_correction_nu: bool = True,
) -> GradientTransformation:
    """Adam divided by the running maximum of the second moment, so steps never grow back.

    The math is `amsgrad`'s without `-lr_t`.

    Args:
      b1, b2, eps, eps_root, mu_dtype: as `scale_by_adam` (scalars; a dtype).
      bias_correction_mu: correct the first moment (False matches the paper).
      bias_correction_nu: correct the second moment before the maximum (False matches the paper).

    Returns:
      A `GradientTransformation` with state `ScaleByAmsgradState(count, mu, nu, nu_max)`.

    Counterpart: `optax.scale_by_amsgrad` (optax/_src/transform.py).

    References:
      Sashank J. Reddi, Satyen Kale, Sanjiv Kumar, *On the Convergence of Adam and Beyond*, 2018.
      https://openreview.net/forum?id=ryQu7f-RZ
    """
    w = where("scale_by_amsgrad")
    for name, value in (("b1", b1), ("b2", b2), ("eps", eps), ("eps_root", eps_root)):
        check_number(w, name, value)
    check_bool(w, "bias_correction_mu", bias_correction_mu)
    check_bool(w, "bias_correction_nu", bias_correction_nu)
    mu_dtype = canonical_dtype(check_dtype(w, "mu_dtype", mu_dtype, optional=True))

    def init_fn(params):
        return ScaleByAmsgradState(
            count=jnp.zeros([], jnp.int32),
            mu=zeros_like(params, mu_dtype),
            nu=zeros_like(params),
            nu_max=zeros_like(params),
        )

    def update_fn(updates, state, params=None):
        del params
        check_state("scale_by_amsgrad", state, ScaleByAmsgradState)
        mu, nu, count_inc = adam_moments("scale_by_amsgrad", updates, state, b1, b2)
        mu_hat = bias_correction(mu, b1, count_inc) if bias_correction_mu else mu
        nu_eff = bias_correction(nu, b2, count_inc) if bias_correction_nu else nu
        nu_max = tree.map(jnp.maximum, state.nu_max, nu_eff)  # long-term memory
        updates = divide_by_root(mu_hat, nu_max, eps, eps_root)
        return updates, ScaleByAmsgradState(count=count_inc, mu=cast_tree(mu, mu_dtype), nu=nu, nu_max=nu_max)

    return GradientTransformation(init_fn, update_fn)


@named
def amsgrad(
    learning_rate: ScalarOrSchedule,
    b1=0.9,
    b2=0.999,
    eps=1e-8,
    eps_root=0.0,
    mu_dtype=None,
    bias_correction_mu: bool = True,
    bias_correction_nu: bool = True,
) -> GradientTransformation:
    """AMSGrad: Adam divided by the running maximum of the second moment.

        v_max_t = max(v_max_{t-1}, v^_t)                       # long-term memory
        u_t = -lr_t * m^_t / (sqrt(v_max_t + eps_root) + eps)  # update

    Args:
      learning_rate, b1, b2, eps, eps_root, mu_dtype: as `adam`.
      bias_correction_mu: correct m (set False for the paper's algorithm).
      bias_correction_nu: correct v before the maximum (set False for the paper's algorithm).

    Returns:
      A `GradientTransformation`; state `(ScaleByAmsgradState, scale state)`.

    Counterpart: `optax.amsgrad` (optax/_src/alias.py).

    References:
      Sashank J. Reddi, Satyen Kale, Sanjiv Kumar, *On the Convergence of Adam and Beyond*,
      ICLR 2018. https://openreview.net/forum?id=ryQu7f-RZ

    PyTorch: `torch.optim.Adam(amsgrad=True)` takes the maximum of the *uncorrected* v and then
    divides by the current `1 - b2**t`, which is neither of Optax's two settings.

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> params = {'w': jnp.array([1.0, -2.0])}
      >>> opt = optim.amsgrad(learning_rate=0.1)
      >>> state = opt.init(params)
      >>> updates, state = opt.update({'w': jnp.array([0.5, -0.5])}, state, params)
      >>> [round(w, 3) for w in optim.apply_updates(params, updates)['w'].tolist()]
      [0.9, -1.9]
    """
    return chain(
        scale_by_amsgrad(
            b1=b1,
            b2=b2,
            eps=eps,
            eps_root=eps_root,
            mu_dtype=mu_dtype,
            bias_correction_mu=bias_correction_mu,
            bias_correction_nu=bias_correction_nu,
        ),
        scale_by_learning_rate(check_learning_rate(learning_rate)),
    )
