"""`comparisons.training.parallel.train_parallel`: an unknown way to run data-parallel is refused.
(The data-parallel runs themselves, against one device, are in `tests/purejax/test_parallel.py`.)"""

import pytest

from comparisons.training.parallel import train_parallel


def test_unknown_way_is_refused():
    with pytest.raises(ValueError, match="way must be one of"):
        train_parallel("mlp", "purejax", "nccl", steps=1)
