"""Several devices and several processes: what `train --devices N --processes P` runs on.

devices.py   N devices in this process: simulated CPU devices (XLA_FLAGS), or the host's GPUs/TPUs
launch.py    P JAX processes on this machine, started, watched and stopped together
worker.py    one of those processes (`python -m comparisons.cluster.worker`), also on a real cluster
"""
