"""Wall time, CPU time and peak memory of a whole ``mapper run`` (all its processes).

    python bench/corpus.py -n 10000 --seed 1 -o /tmp/c10k.jsonl
    python bench/run_scale.py /tmp/c10k.jsonl --workers 1 2
    python bench/run_scale.py /tmp/c10k.jsonl --workers 1 2 --engine dask

Each run is a fresh ``mapper run CORPUS --out TMP --workers N -q`` subprocess.  Peak RSS is the
largest SUM of the resident sets of the process and all its descendants (worker processes,
Dask nannies and workers), sampled every 50 ms; CPU time is user + system of the whole tree
(``RUSAGE_CHILDREN``), which, on a shared machine, says more than the wall time; main cpu s
is the CPU time of the ``mapper run`` process alone (reading, writing the store, drawing the map),
sampled with the memory, so it misses at most the last 50 ms.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil


def _tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in (proc, *proc.children(recursive=True)):
        try:
            total += p.memory_info().rss
        except psutil.Error:  # a process that just ended holds no memory
            continue
    return total


def _own_cpu(proc: psutil.Process) -> float:
    """User + system CPU seconds of ``proc`` alone (not its children), 0 once it is gone."""
    try:
        times = proc.cpu_times()
    except psutil.Error:
        return 0.0
    return times.user + times.system


def measure(corpus: Path, workers: int, engine: str, draw: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="mapper-run-bench-") as out:
        command = [sys.executable, "-m", "mapper.cli", "run", str(corpus), "--out", out, "-q"]
        command += ["--workers", str(workers), "--engine", engine, *([] if draw else ["--no-map"])]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = psutil.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        peak, main_cpu = 0, 0.0
        while proc.poll() is None:
            peak = max(peak, _tree_rss(proc))
            main_cpu = max(main_cpu, _own_cpu(proc))
            time.sleep(0.05)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"mapper run failed ({proc.returncode}): {proc.stderr.read()!r}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "workers": workers,
        "wall_s": wall,
        "cpu_s": cpu,
        "main_cpu_s": main_cpu,
        "peak_rss_mb": peak / 2**20,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path, help="JSON Lines corpus (bench/corpus.py)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--engine", choices=["local", "dask"], default="local")
    parser.add_argument("--no-map", action="store_true", help="pass --no-map to mapper run")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    reports = sum(1 for line in args.corpus.open(encoding="utf-8") if line.strip())
    rows = [measure(args.corpus, n, args.engine, not args.no_map) for n in args.workers]
    for row in rows:
        row["reports_per_wall_s"] = reports / row["wall_s"]
        row["reports_per_cpu_s"] = reports / row["cpu_s"]
    if args.json:
        print(
            json.dumps(
                {"reports": reports, "engine": args.engine, "map": not args.no_map, "runs": rows}
            )
        )
        return
    print(f"mapper run --engine {args.engine}{' --no-map' * args.no_map} on {reports} reports")
    print("workers  wall s   cpu s  main cpu s  peak RSS MB  reports/wall s  reports/cpu s")
    for r in rows:
        print(
            f"{r['workers']:7d} {r['wall_s']:7.1f} {r['cpu_s']:7.1f} {r['main_cpu_s']:11.1f}"
            f" {r['peak_rss_mb']:12.0f}"
            f" {r['reports_per_wall_s']:15.0f} {r['reports_per_cpu_s']:14.0f}"
        )


if __name__ == "__main__":
    main()
