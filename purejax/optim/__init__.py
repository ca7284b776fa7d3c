"""Optimizers as init/update pairs, from scratch, in Optax's shape.

Counterpart: `optax`. Same names, arguments, defaults and state classes.
"""
from purejax.optim.base import EmptyState, GradientTransformation, apply_updates, chain, identity, init_empty_state
from purejax.optim.scaling import ScaleByScheduleState, scale, scale_by_learning_rate, scale_by_schedule
from purejax.optim.tree_math import safe_increment
