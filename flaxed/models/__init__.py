"""The seeds' models written with Flax (linen) and Optax; `purejax/models/` holds their twins.

Each `flaxed/models/NAME.py` imports the shared data functions from `purejax/models/NAME.py` and
defines `build`, `init`, `loss_fn`, `optimizer` (and extras) with the real libraries.
"""
from purejax.models import MODELS

__all__ = ["MODELS"]
