"""RAdam (Rectified Adam): plain momentum until the second moment's variance is tractable.

`scale_by_radam` is the building block; it keeps Adam's state, `ScaleByAdamState(count, mu, nu)`,
and multiplies Adam's step by a rectification `r_t`, or takes the bias-corrected first moment
alone while `rho_t` is below the threshold. `radam` chains it with `scale_by_learning_rate`; the
math is in its docstring.

Counterpart: `optax.scale_by_radam` (optax/_src/transform.py); `optax.radam`
(optax/_src/alias.py). Same argument names, order and defaults.
"""

from __future__ import annotations

import jax.numpy as jnp

from purejax import tree
from purejax.checks import check_bool, check_number
from purejax.optim.adam import ScaleByAdamState
from purejax.optim.base import GradientTransformation, chain, check_state, named, where
from purejax.optim.transforms.scaling import ScalarOrSchedule, check_learning_rate, scale_by_learning_rate
from purejax.optim.tree_math import adam_moments, bias_correction, nesterov_mu_hat, zeros_like


@named
def scale_by_radam(
    b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0, threshold=5.0, *, nesterov: bool = False
) -> GradientTransformation:
    """Rectified Adam: plain momentum until the second moment's variance is tractable.

    The math is `radam`'s without `-lr_t`: `rho_inf` is the largest length of the approximated
    simple moving average (SMA), `rho_t` its length at step `t`.

    Args:
      b1, b2, eps, eps_root: as `scale_by_adam` (scalars).
      threshold: scalar; below it the rectification is off (the paper uses 4, Optax 5).
      nesterov: use Nadam's look-ahead first moment.

    Returns:
      A `GradientTransformation` with state `ScaleByAdamState(count, mu, nu)`.

    Counterpart: `optax.scale_by_radam` (optax/_src/transform.py).

    References:
      Liyuan Liu et al., *On the Variance of the Adaptive Learning Rate and Beyond*, ICLR 2020.
      https://arxiv.org/abs/1908.03265
    """
    w = where("scale_by_radam")
    for name, value in (("b1", b1), ("b2", b2), ("eps", eps), ("eps_root", eps_root), ("threshold", threshold)):
        check_number(w, name, value)
    check_bool(w, "nesterov", nesterov)
    rho_inf = 2.0 / (1.0 - b2) - 1.0

    def init_fn(params):
        return ScaleByAdamState(count=jnp.zeros([], jnp.int32), mu=zeros_like(params), nu=zeros_like(params))

    def update_fn(updates, state, params=None):
        del params
        check_state("scale_by_radam", state, ScaleByAdamState)
        mu, nu, count_inc = adam_moments("scale_by_radam", updates, state, b1, b2)
        b2t = b2**count_inc
        rho = rho_inf - 2 * count_inc * b2t / (1 - b2t)  # length of the approximated SMA
        if nesterov:
            mu_hat = nesterov_mu_hat(mu, updates, b1, count_inc)
        else:
            mu_hat = bias_correction(mu, b1, count_inc)  # bias correction
        nu_hat = bias_correction(nu, b2, count_inc)  # bias correction
        r = jnp.sqrt(
            (rho - 4.0) * (rho - 2.0) * rho_inf / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho)
        )  # variance rectification
        rectified = tree.map(lambda m, v: r.astype(m.dtype) * m / (jnp.sqrt(v + eps_root) + eps), mu_hat, nu_hat)
        updates = tree.map(lambda t, f: jnp.where(rho >= threshold, t, f), rectified, mu_hat)
        return updates, ScaleByAdamState(count=count_inc, mu=mu, nu=nu)

    return GradientTransformation(init_fn, update_fn)


@named
def radam(
    learning_rate: ScalarOrSchedule, b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0, threshold=5.0, *, nesterov: bool = False
) -> GradientTransformation:
    """Rectified Adam: momentum SGD while v^ is too noisy, then Adam times a rectification r_t.

        rho_inf = 2 / (1 - b2) - 1;   rho_t = rho_inf - 2 t b2**t / (1 - b2**t)
        r_t = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
        u_t = -lr_t * r_t * m^_t / (sqrt(v^_t + eps_root) + eps)   if rho_t >= threshold
              -lr_t * m^_t                                          otherwise

    Args:
      learning_rate, b1, b2, eps, eps_root, nesterov: as `adam`.
      threshold: scalar; rectify only when `rho_t >= threshold`.

    Returns:
      A `GradientTransformation`; state `(ScaleByAdamState, scale state)`.

    Counterpart: `optax.radam` (optax/_src/alias.py).

    References:
      Liyuan Liu et al., *On the Variance of the Adaptive Learning Rate and Beyond*, ICLR 2020.
      https://arxiv.org/abs/1908.03265

    PyTorch: `torch.optim.RAdam` rectifies when `rho_t > 5` (strictly), has no `eps_root`, and
    its `weight_decay` is L2 unless `decoupled_weight_decay=True`.

    Examples:
      >>> import jax.numpy as jnp
      >>> from purejax import optim
      >>> params = {'w': jnp.array([1.0, -2.0])}
      >>> opt = optim.radam(learning_rate=0.1)
      >>> state = opt.init(params)
      >>> updates, state = opt.update({'w': jnp.array([0.5, -0.5])}, state, params)
      >>> [round(w, 3) for w in optim.apply_updates(params, updates)['w'].tolist()]
      [0.95, -1.95]
    """
    return chain(
        scale_by_radam(b1=b1, b2=b2, eps=eps, eps_root=eps_root, threshold=threshold, nesterov=nesterov),
        scale_by_learning_rate(check_learning_rate(learning_rate)),
    )
