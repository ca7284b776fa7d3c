"""`python -m comparisons bench`: purejax's speed and memory beside Flax + Optax.

command.py   the command: runs every measurement, prints the tables and the goals, writes JSON
sweep.py     `--sweep`: each model at three or more sizes: step time, GFLOP/s, XLA memory, first call
goals.py     the goals' targets and their labels: met, not met, within noise
models.py    each model's train step, compile and memory on both sides, and the import times
lstm.py      the LSTM workload against the measured matmul peak (`python -m comparisons.bench.lstm`)
chart.py     the ratios as a bar chart; the sweep's step time against FLOPs, log-log
"""
