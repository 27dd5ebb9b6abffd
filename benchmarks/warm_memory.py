"""Write most of the free memory twice and record how much longer the first write took.

On a virtual machine the host may provide a page of memory only when the
guest first writes it, so the first write can be far slower than later
ones, and freed memory may go back to the host. Large arrays then cost
time to allocate that a machine with its memory in hand does not pay. The
result file records both timings as a fact about the machine, to read the
other results with. The memory is left written once.

    .venv/bin/python benchmarks/warm_memory.py
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from common import save


def available_gib() -> float:
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 2**20
    raise RuntimeError("MemAvailable not found in /proc/meminfo: this script needs Linux 3.14 or later")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leave-gib", type=float, default=3.0, help="memory left untouched (default 3 GiB)")
    args = parser.parse_args()
    gib = max(available_gib() - args.leave_gib, 0.0)
    block = np.empty(int(gib * 2**30) // 8, dtype=np.int64)
    started = time.perf_counter()
    block.fill(1)
    first = time.perf_counter() - started
    started = time.perf_counter()
    block.fill(2)
    again = time.perf_counter() - started
    del block
    save("warm-memory", {"gib": round(gib, 1), "first_write_s": round(first, 2), "second_write_s": round(again, 2)})


if __name__ == "__main__":
    main()
