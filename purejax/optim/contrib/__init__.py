"""Optax's `optax.contrib`, in part: optimizers from recent papers, outside the core API.

    cocob         COCOB-Backprop (coin betting, no learning rate): scale_by_cocob, cocob, COCOBState
    dadapt_adamw  D-Adaptation AdamW: dadapt_adamw, DAdaptAdamWState
    dpsgd, differentially_private_aggregate, DifferentiallyPrivateAggregateState
                  (`purejax.optim.dpsgd`'s, re-exported where Optax also lists them)

Counterpart: `optax.contrib` (optax/contrib/). Its other optimizers (Muon, Prodigy, SAM,
schedule-free, Mechanic, MoMo, ...) are not here; the README lists them.
"""

from purejax.optim.contrib.cocob import COCOBState, cocob, scale_by_cocob
from purejax.optim.contrib.dadapt_adamw import DAdaptAdamWState, dadapt_adamw
from purejax.optim.dpsgd import DifferentiallyPrivateAggregateState, differentially_private_aggregate, dpsgd

__all__ = [
    "COCOBState",
    "DAdaptAdamWState",
    "DifferentiallyPrivateAggregateState",
    "cocob",
    "dadapt_adamw",
    "differentially_private_aggregate",
    "dpsgd",
    "scale_by_cocob",
]
