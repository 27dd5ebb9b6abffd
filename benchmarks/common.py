"""Helpers shared by the benchmark scripts: repeated timings, peak memory of a child process, the machine."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
RESULTS = Path(os.environ.get("RASR_BENCH_RESULTS", "/tmp/rasr-bench/results"))


def machine() -> dict:
    """CPU model, core count, memory, load average and date of this run."""
    model = ""
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as meminfo:
        total_kb = int(meminfo.readline().split()[1])
    return {
        "cpu": model,
        "nproc": os.cpu_count(),
        "memory_gib": round(total_kb / 2**20, 1),
        "load_average": os.getloadavg(),
        "python": platform.python_version(),
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "commit": _git("rev-parse", "--short", "HEAD"),
        # Uncommitted changes under src/ (other work in the same checkout) also change the figures.
        "uncommitted_src": _git("status", "--short", "--", "src").splitlines(),
    }


def _git(*args: str) -> str:
    completed = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
    return completed.stdout.strip()


def summary(seconds: list[float]) -> dict:
    return {"best_s": round(min(seconds), 3), "median_s": round(statistics.median(seconds), 3),
            "runs_s": [round(s, 3) for s in seconds]}


def timed_command(command: list[str], env: dict | None = None) -> dict:
    """Run command under /usr/bin/time -v; return wall seconds, peak RSS in MiB and its output tail."""
    started = time.perf_counter()
    completed = subprocess.run(["/usr/bin/time", "-v", *command], capture_output=True, text=True,
                               env={**os.environ, **(env or {})})
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed with exit code {completed.returncode}:\n"
                           f"{completed.stderr[-3000:]}")
    peak_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", completed.stderr).group(1))
    return {"seconds": seconds, "peak_rss_mib": round(peak_kb / 1024), "stdout": completed.stdout,
            "stderr": completed.stderr}


def save(name: str, result: dict) -> Path:
    """Write result with the machine facts to RESULTS/name.json and print it."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    record = {"name": name, "command": " ".join([Path(sys.executable).name, *sys.argv]),
              "machine": machine(), **result}
    path.write_text(json.dumps(record, indent=2, default=str))
    print(json.dumps(record, indent=2, default=str))
    return path
