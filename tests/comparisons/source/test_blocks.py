"""`comparisons.source.blocks`: a source cut into top-level blocks, each with its key, leading comments and lines."""

from comparisons import source
from tests.comparisons.source._examples import LEFT, RIGHT


def test_parse_blocks_keys_and_leads():
    blocks = source.parse_blocks(LEFT)
    assert [b.key for b in blocks] == ["<docstring>", "<imports>", "helper", "loss_fn", "Model"]
    loss = blocks[3]
    assert loss.lines[0] == "# the loss" and loss.lead == 1 and loss.blank_before == 2
    assert loss.numbers[0] == 9  # 1-based line numbers of the file
    decorated = source.parse_blocks(RIGHT)[2]
    assert decorated.key == "loss_fn" and decorated.lines[:2] == ["@jax.jit", "def loss_fn(params, batch):"]
