"""The parity report's sections: one module per purejax component, each with `checks() -> [Row]`.

Later components add a module here and a line to SECTIONS.
"""
from comparisons.parity import random, tree

SECTIONS = {
    "tree": tree.checks,
    "random": random.checks,
}
