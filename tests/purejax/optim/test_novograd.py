"""NovoGrad beyond the adaptive table: its update reads the parameters, so it needs them."""

import purejax.optim as ours
from tests._asserts import assert_update_needs_params


def test_novograd_needs_params():
    assert_update_needs_params(ours.novograd(1e-2))
