"""The shared building blocks that the optimizers chain, one concept per module (Optax's `transforms/`).

    scaling          scale, scale_by_schedule, scale_by_learning_rate: the step size and its minus sign
    adding           add_decayed_weights (decoupled weight decay), add_noise (annealed gradient noise)
    momentum         trace (heavy ball, Nesterov), ema (moving average, debiased)
    clipping         clip, clip_by_block_rms, clip_by_global_norm, global_norm, per_example_global_norm_clip
    trust_ratio      scale_by_trust_ratio (LARS, LAMB, Fromage), scale_by_param_block_norm / _rms
    masking          masked (a transformation on part of the tree), set_to_zero
    partitioning     partition / multi_transform: one transformation per label
    accumulation     MultiSteps: one optimizer step every k mini-batches; skip_not_finite, skip_large_updates
    conditionality   apply_if_finite: skip updates holding a NaN or an infinity
    inject           inject_hyperparams: hyperparameters in the state, as numbers or schedules
    stateless        stateless, stateless_with_tree_map: a transformation from a function
    named_chain      a chain whose state is a dict keyed by name
    layouts          flatten: run a transformation on one flat vector
    apply_every      sum the updates over k steps, emit every k-th
    constraining     zero_nans, keep_params_nonnegative
    freezing         freeze, selective_transform: zero updates (and no state) for frozen parameters
    conditionally    conditionally_transform / conditionally_mask: run a transformation at chosen steps
    monitoring       snapshot, monitor, measure_with_ema: measurements of the updates in the state
    centralize       gradient centralization
    normalize        normalize_by_update_norm
    adaptive_clipping  adaptive_grad_clip (AGC), unitwise_norm, unitwise_clip
    layer_norm_clip  per_example_layer_norm_clip

Each module names its counterpart, mostly `optax/transforms/_<module>.py`. The interface these
build on (`GradientTransformation`, `chain`, `apply_updates`) is `purejax.optim.base`; every name
here is also re-exported by `purejax.optim`.
"""

# The rest of optax.transforms, one concept per module.
from purejax.optim.base import chain
from purejax.optim.transforms.accumulation import MultiSteps, MultiStepsState, skip_large_updates, skip_not_finite
from purejax.optim.transforms.adaptive_clipping import adaptive_grad_clip, unitwise_clip, unitwise_norm
from purejax.optim.transforms.adding import AddNoiseState, WeightDecaySchedule, add_decayed_weights, add_noise
from purejax.optim.transforms.clipping import (
    ClipByGlobalNormState,
    ClipState,
    clip,
    clip_by_block_rms,
    clip_by_global_norm,
    global_norm,
    per_example_global_norm_clip,
)
from purejax.optim.transforms.conditionality import ApplyIfFiniteState, apply_if_finite
from purejax.optim.transforms.conditionally import (
    ConditionallyMaskState,
    ConditionallyTransformState,
    ConditionFn,
    conditionally_mask,
    conditionally_transform,
)
from purejax.optim.transforms.constraining import (
    NonNegativeParamsState,
    ZeroNansState,
    keep_params_nonnegative,
    zero_nans,
)
from purejax.optim.transforms.freezing import freeze, selective_transform
from purejax.optim.transforms.inject import (
    InjectHyperparamsState,
    InjectStatefulHyperparamsState,
    StatefulSchedule,
    WrappedSchedule,
    inject_hyperparams,
)
from purejax.optim.transforms.layer_norm_clip import per_example_layer_norm_clip
from purejax.optim.transforms.layouts import flatten
from purejax.optim.transforms.masking import MaskedNode, MaskedState, masked, set_to_zero
from purejax.optim.transforms.momentum import EmaState, TraceState, ema, trace
from purejax.optim.transforms.monitoring import MonitorState, SnapshotState, measure_with_ema, monitor, snapshot
from purejax.optim.transforms.named_chain import named_chain
from purejax.optim.transforms.partitioning import MultiTransformState, PartitionState, multi_transform, partition
from purejax.optim.transforms.scaling import ScaleByScheduleState, scale, scale_by_learning_rate, scale_by_schedule
from purejax.optim.transforms.trust_ratio import (
    ScaleByTrustRatioState,
    scale_by_param_block_norm,
    scale_by_param_block_rms,
    scale_by_trust_ratio,
)
from purejax.optim.type_aliases import ShouldSkipUpdateFunction

__all__ = [
    "AddNoiseState",
    "ApplyIfFiniteState",
    "ClipByGlobalNormState",
    "ClipState",
    "EmaState",
    "InjectHyperparamsState",
    "InjectStatefulHyperparamsState",
    "MaskedNode",
    "MaskedState",
    "MultiSteps",
    "MultiStepsState",
    "MultiTransformState",
    "PartitionState",
    "ScaleByScheduleState",
    "ScaleByTrustRatioState",
    "StatefulSchedule",
    "TraceState",
    "WeightDecaySchedule",
    "WrappedSchedule",
    "add_decayed_weights",
    "add_noise",
    "apply_if_finite",
    "clip",
    "clip_by_block_rms",
    "clip_by_global_norm",
    "ema",
    "global_norm",
    "inject_hyperparams",
    "masked",
    "multi_transform",
    "partition",
    "per_example_global_norm_clip",
    "scale",
    "scale_by_learning_rate",
    "scale_by_param_block_norm",
    "scale_by_param_block_rms",
    "scale_by_schedule",
    "scale_by_trust_ratio",
    "set_to_zero",
    "skip_large_updates",
    "skip_not_finite",
    "trace",
    "ConditionFn",
    "ConditionallyMaskState",
    "ConditionallyTransformState",
    "MonitorState",
    "NonNegativeParamsState",
    "ShouldSkipUpdateFunction",
    "SnapshotState",
    "ZeroNansState",
    "adaptive_grad_clip",
    "chain",
    "conditionally_mask",
    "conditionally_transform",
    "flatten",
    "freeze",
    "keep_params_nonnegative",
    "measure_with_ema",
    "monitor",
    "named_chain",
    "per_example_layer_norm_clip",
    "selective_transform",
    "snapshot",
    "unitwise_clip",
    "unitwise_norm",
    "zero_nans",
]
