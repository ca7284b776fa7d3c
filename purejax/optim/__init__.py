"""Optimizers as init/update pairs, from scratch, in Optax's shape.

Counterpart: `optax`. Same names, arguments, defaults and state classes. One concept per module:

    base, tree_math                            the interface; the package's internal toolbox
    transforms/                                the shared blocks and wrappers: scaling, adding (weight decay,
                                               noise), momentum, clipping, trust_ratio, masking, partitioning,
                                               accumulation, conditionality, inject
    adam_family, adam_variants, rms,           adaptive transforms (scale_by_adam, scale_by_rms, ...)
    sign_and_norm, optimistic, noise           (and the optimistic gradient, the DP aggregate)
    factored                                   Adafactor and SM3
    schedules                                  learning-rate schedules, and warmup/SGDR joined from them
    alias_*                                    the optimizers users call: adam, sgd, lamb, ...
"""
from purejax.optim.transforms.accumulation import MultiSteps, MultiStepsState, skip_large_updates, skip_not_finite
from purejax.optim.adam_family import (
    ScaleByAdamState, ScaleByAmsgradState, ScaleByBeliefState, scale_by_adam, scale_by_adamax, scale_by_amsgrad,
)
from purejax.optim.adam_variants import scale_by_belief, scale_by_radam, scale_by_yogi
from purejax.optim.alias_adam import adam, adamax, adamw, amsgrad, nadam
from purejax.optim.alias_adam_variants import adabelief, lion, novograd, radam, yogi
from purejax.optim.alias_large_batch import adafactor, lamb, lars, sm3
from purejax.optim.alias_rms import adadelta, adagrad, rmsprop
from purejax.optim.alias_sgd import dpsgd, fromage, noisy_sgd, sgd
from purejax.optim.base import EmptyState, GradientTransformation, apply_updates, chain, identity, init_empty_state
from purejax.optim.transforms.clipping import (
    ClipByGlobalNormState, ClipState, clip, clip_by_block_rms, clip_by_global_norm, global_norm,
    per_example_global_norm_clip,
)
from purejax.optim.transforms.conditionality import ApplyIfFiniteState, apply_if_finite
from purejax.optim.factored import FactoredState, ScaleBySM3State, scale_by_factored_rms, scale_by_sm3
from purejax.optim.transforms.inject import (
    InjectHyperparamsState, InjectStatefulHyperparamsState, StatefulSchedule, WrappedSchedule, inject_hyperparams,
)
from purejax.optim.transforms.masking import MaskedNode, MaskedState, masked, set_to_zero
from purejax.optim.transforms.momentum import EmaState, TraceState, ema, trace
from purejax.optim.optimistic import (
    ScaleByOptimisticGradientState, optimistic_gradient_descent, scale_by_optimistic_gradient,
)
from purejax.optim.noise import DifferentiallyPrivateAggregateState, differentially_private_aggregate
from purejax.optim.transforms.adding import AddNoiseState, add_noise
from purejax.optim.transforms.partitioning import MultiTransformState, PartitionState, multi_transform, partition
from purejax.optim.rms import (
    ScaleByAdaDeltaState, ScaleByRmsState, ScaleByRssState, ScaleByRStdDevState, scale_by_adadelta, scale_by_rms,
    scale_by_rss, scale_by_stddev,
)
from purejax.optim.transforms.scaling import ScaleByScheduleState, scale, scale_by_learning_rate, scale_by_schedule
from purejax.optim.schedules import (
    constant_schedule, cosine_decay_schedule, exponential_decay, join_schedules, linear_schedule,
    piecewise_constant_schedule, polynomial_schedule, sgdr_schedule, warmup_cosine_decay_schedule,
    warmup_exponential_decay_schedule,
)
from purejax.optim.sign_and_norm import ScaleByLionState, ScaleByNovogradState, scale_by_lion, scale_by_novograd
from purejax.optim.tree_math import safe_increment
from purejax.optim.transforms.trust_ratio import (
    ScaleByTrustRatioState, scale_by_param_block_norm, scale_by_param_block_rms, scale_by_trust_ratio,
)
from purejax.optim.transforms.adding import WeightDecaySchedule, add_decayed_weights
