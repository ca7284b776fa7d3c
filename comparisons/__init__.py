"""comparisons: what users run to see purejax and its counterparts compute the same thing.

`python -m comparisons` prints the parity report; `python -m comparisons --help` lists the rest.
Imports run one way, from the command line down to the measures:

    __main__.py   dispatches `python -m comparisons COMMAND` (nothing else)
    cli.py        every command's options
    parity/       the parity report: its sections, tables, rows, measures and tolerances
    training/     side-by-side training (`train`): one device, many devices, pictures
    cluster/      several devices and several JAX processes (`train --devices/--processes`)
    bench/        speed and memory beside Flax + Optax (`bench`)
    source/       the two implementations side by side (`source`)
    exercises/    exercises graded against the real libraries (`exercise`)
    display.py    progress lines and tables, for every command
"""
