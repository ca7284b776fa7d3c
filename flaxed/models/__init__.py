"""The seeds' models written with Flax (linen) and Optax; `purejax/models/` holds their twins.

Each `flaxed/models/NAME.py` binds its task's functions from `purejax/data/tasks/` (`load_data`,
the batches, the learning goal) as `purejax/models/NAME.py` does, imports `DEFAULTS`, `NAME` and
`check_batch` from `purejax/models/NAME.py`, and defines `build`, `init`, `loss_fn`, `optimizer`
(and extras) with the real libraries.
"""

from purejax.models import MODELS

__all__ = ["MODELS"]
