"""comparisons: what users run to see purejax and its counterparts compute the same thing.

`python -m comparisons` prints the parity report; `python -m comparisons --help` lists the rest.
"""
