"""`make bench`: throughput, peak memory and exactness of the identifier core, against a per-record implementation.

Each measured stage runs in a fresh child process so that its peak memory is its own.
"""

import argparse
import csv
import hashlib
import itertools
import json
import logging
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import duckdb
import psutil
import pyarrow as pa

from audience import ingest, store
from audience.identifiers.columns import (
    canonical_email_column,
    canonical_maid_column,
    canonical_phone_column,
    normalise_customers,
)
from audience.identifiers.reference import canonical_email, canonical_maid, canonical_phone, platform_value
from audience.identifiers.rules import PLATFORMS, RuleSet
from data.generator import AS_OF, write_customers, write_sample_workspace_inputs
from data.messy import messy_values

SIZES = (1_000_000, 10_000_000)
SAMPLE = 20_000
MESSY = {"email": 400_000, "phone": 400_000, "maid": 200_000}
REGIONS = ("PL", "PL", "PL", "DE", "GB", "US", "UA", "CZ", None, "XX")
KINDS = (("email", "email"), ("phone", "phone"), ("maid", "device_id"))
IN_FLIGHT = 2
"""Batches normalised at once by the throughput stage."""
WORKERS_LOG = "dask-workers.log"
"""Where the Dask engine's workers write (under the benchmark's directory)."""
REPEATS = 3
"""Runs of the throughput stage per size; the fastest is reported (as `timeit` does: this machine's speed wavers by
10-20 % from one run to the next), every run's seconds printed beside it."""


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def stage_normalise(path: Path) -> dict:
    """Read a customers file in batches and normalise and hash every identifier for every platform, two batches at a
    time (as a run normalises two partitions at a time on this machine)."""
    started = time.perf_counter()
    rules = RuleSet()

    def normalise(batch: ingest.Batch) -> tuple[int, int, int]:
        table = batch.customers.select(["customer_id", "source_row", *ingest.CORE_COLUMNS[1:]])
        normalised = normalise_customers(table, rules)
        return table.num_rows, normalised.identifiers.num_rows, normalised.rejections.num_rows

    counts = []
    with ThreadPoolExecutor(IN_FLIGHT) as pool:
        pending: deque[Future] = deque()
        for batch in ingest.customer_batches(path, core_only=True):
            if len(pending) == IN_FLIGHT:
                counts.append(pending.popleft().result())
            pending.append(pool.submit(normalise, batch))
        counts += [future.result() for future in pending]
    customers, identifiers, rejections = (sum(c) for c in zip(*counts))
    seconds = time.perf_counter() - started
    return {"customers": customers, "seconds": seconds, "identifiers": identifiers, "rejections": rejections,
            "peak_rss_mb": _peak_rss_mb()}


def per_record(path: Path, limit: int) -> dict:
    """The platform samples' approach: every value of every customer through the libraries, once per platform."""
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(itertools.islice(csv.DictReader(f), limit))
    started = time.perf_counter()
    sent = 0
    for row in rows:
        for platform in PLATFORMS:
            for kind, column in KINDS:
                if row[column]:
                    outcome = platform_value(kind, platform, row[column], row["country"] or None)
                    if outcome.ok:
                        hashlib.sha256(outcome.value.encode("utf-8")).hexdigest()
                        sent += 1
    seconds = time.perf_counter() - started
    return {"customers": len(rows), "seconds": seconds, "identifiers": sent}


def self_check(seed: int = 11) -> dict[str, int]:
    """Mismatches between the column path and the reference over generated messy values, per kind."""
    mismatches = {}
    for kind, n in MESSY.items():
        values = messy_values(kind, n, seed=seed)
        if kind == "phone":
            countries = [REGIONS[i % len(REGIONS)] for i in range(n)]
            column = canonical_phone_column(pa.array(values), pa.array(countries, pa.string()), "PL")
            expected = (canonical_phone(v, c, "PL") for v, c in zip(values, countries))
        else:
            column = (canonical_email_column if kind == "email" else canonical_maid_column)(pa.array(values))
            expected = map(canonical_email if kind == "email" else canonical_maid, values)
        got = zip(column.values.to_pylist(), column.reasons.to_pylist())
        mismatches[kind] = sum((o.value, o.reason) != g for o, g in zip(expected, got))
    return mismatches


def _child(stage: str, path: Path) -> dict:
    done = subprocess.run([sys.executable, "-m", "pipelines.bench", "--stage", stage, str(path)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _fastest(runs: Sequence[dict]) -> dict:
    """The fastest of `runs` of a stage, with every run's seconds (`runs`) and the highest peak RSS of them."""
    fastest = min(runs, key=lambda r: r["seconds"])
    return {**fastest, "runs": [r["seconds"] for r in runs], "peak_rss_mb": max(r["peak_rss_mb"] for r in runs)}


def end_to_end(directory: Path, size: int, *engine_flags: str, workers: Sequence[psutil.Process] = ()) -> dict:
    """`audience run` on a generated workspace: CSV in, every platform's files out, Prefect start-up included.

    Returns wall seconds, the peak RSS of the run's process, and the peak RSS of each of `workers` during the run.
    """
    inputs = directory / f"workspace-{size}"
    if not (inputs / "customers.csv").exists():
        write_sample_workspace_inputs(inputs, size)
    for leftover in ("workspace.duckdb", "workspace.duckdb.wal"):
        (inputs / leftover).unlink(missing_ok=True)
    shutil.rmtree(inputs / "out", ignore_errors=True)
    command = [sys.executable, "-m", "pipelines", "run", "--customers", str(inputs / "customers.csv"),
               "--consent", str(inputs / "consent.csv"), "--suppressions", str(inputs / "suppressions.csv"),
               "--db", str(inputs / "workspace.duckdb"), "--out", str(inputs / "out"), "--as-of", AS_OF.isoformat(),
               *engine_flags]
    log = tempfile.TemporaryFile()
    started = time.perf_counter()
    process = psutil.Popen(command, stdout=subprocess.DEVNULL, stderr=log)
    peaks = dict.fromkeys([process, *workers], 0)
    while process.poll() is None:
        for watched in peaks:
            try:
                peaks[watched] = max(peaks[watched], watched.memory_info().rss)
            except psutil.NoSuchProcess:
                continue
        time.sleep(0.1)
    seconds = time.perf_counter() - started
    if process.returncode:
        log.seek(0)
        sys.exit(f"audience run failed (exit status {process.returncode}):\n{log.read().decode()[-2000:]}")
    return {"customers": size, "seconds": seconds, "peak_rss_mb": peaks.pop(process) / 2**20,
            "workers_peak_rss_mb": [peak / 2**20 for peak in peaks.values()],
            "stages": _stage_seconds(inputs / "workspace.duckdb")}


def _stage_seconds(db: Path) -> dict[str, float]:
    """The stage durations the latest run recorded in its lineage (run_stage)."""
    with duckdb.connect(str(db), read_only=True) as con:
        return store.stage_seconds(con)


def _stages_line(stages: dict[str, float]) -> str:
    return "  stages (s): " + ", ".join(f"{name} {seconds:.1f}" for name, seconds in stages.items())


@contextmanager
def _stderr_to(path: Path) -> Iterator[None]:
    """Within: this process's standard error, which the Dask workers it starts inherit, goes to `path` (the workers'
    task logs and DuckDB's exit-time reports would otherwise interleave with the benchmark's table)."""
    sys.stderr.flush()
    saved = os.dup(2)
    with path.open("ab") as log:
        os.dup2(log.fileno(), 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


def engines(directory: Path, size: int) -> list[tuple[str, dict]]:
    """The same run on the local engine (threads in the run's process) and on a Dask cluster of 2 worker processes
    started beforehand on this machine (warm, as an existing cluster would be)."""
    from distributed import Client, LocalCluster

    results = [("local", end_to_end(directory, size))]
    with _stderr_to(directory / WORKERS_LOG), LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None, silence_logs=logging.ERROR,
    ) as cluster:
        with Client(cluster) as client:
            workers = [psutil.Process(pid) for pid in client.run(os.getpid).values()]
        results.append(("dask", end_to_end(directory, size, "--dask-address", cluster.scheduler_address,
                                           workers=workers)))
    return results


def _customers_file(directory: Path, size: int) -> Path:
    path = directory / f"customers-{size}.csv"
    if not path.exists():
        started = time.perf_counter()
        partial = directory / f"partial-{path.name}"
        write_customers(partial, size)
        partial.rename(path)
        print(f"generated {size:,} customers in {time.perf_counter() - started:.1f} s -> {path}", flush=True)
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="customer counts, comma-separated")
    parser.add_argument("--out", type=Path, default=Path("bench-out"), help="where generated inputs are kept")
    parser.add_argument("--sample", type=int, default=SAMPLE, help="customers for the per-record baseline")
    parser.add_argument("--run-size", type=int, default=1_000_000, help="customers for the end-to-end run")
    parser.add_argument("--repeats", type=int, default=REPEATS, help="runs of the throughput stage per size")
    parser.add_argument("--engine-size", type=int, default=10_000_000,
                        help="customers for the local vs Dask engine runs (0 skips them; 10M takes about 20 minutes)")
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    parser.add_argument("path", nargs="?", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.stage == "normalise":
        print(json.dumps(stage_normalise(args.path)))
        return
    args.out.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",")]

    started = time.perf_counter()
    mismatches = self_check()
    total = sum(MESSY.values())
    print(f"self-check: {total:,} messy values, column path vs reference: "
          f"{sum(mismatches.values())} mismatches {mismatches} ({time.perf_counter() - started:.1f} s)", flush=True)

    results = [(size, _fastest([_child("normalise", _customers_file(args.out, size)) for _ in range(args.repeats)]))
               for size in sizes]
    baseline = per_record(_customers_file(args.out, sizes[0]), args.sample)
    baseline_rate = baseline["customers"] / baseline["seconds"]
    print(f"\nper-record baseline (phonenumbers + email-validator per value and platform): "
          f"{baseline['customers']:,} customers in {baseline['seconds']:.2f} s = {baseline_rate:,.0f} customers/s")
    print(f"\nnormalise + hash (email, phone, device ID; google, meta, tiktok), CSV read included; the fastest of "
          f"{args.repeats} runs")
    print(f"{'customers':>12} {'seconds':>8} {'customers/s':>12} {'vs per-record':>14} {'peak RSS':>10} {'values':>12}"
          "  every run (s)")
    for size, r in results:
        rate = r["customers"] / r["seconds"]
        print(f"{r['customers']:>12,} {r['seconds']:>8.2f} {rate:>12,.0f} {rate / baseline_rate:>13.1f}x "
              f"{r['peak_rss_mb']:>8,.0f}MB {r['identifiers']:>12,}  {', '.join(f'{s:.2f}' for s in r['runs'])}")

    run = end_to_end(args.out, args.run_size)
    print(f"\nend to end: audience run on {run['customers']:,} customers (CSV in, all files out, Prefect start-up "
          f"included): {run['seconds']:.1f} s wall, peak RSS of the run process {run['peak_rss_mb']:,.0f} MB")
    print(_stages_line(run["stages"]))
    if args.engine_size:
        print(f"\nengines: audience run on {args.engine_size:,} customers, local (threads) vs Dask (2 local worker "
              f"processes, started before the run; their output: {args.out / WORKERS_LOG})")
        for engine, r in engines(args.out, args.engine_size):
            workers = " + ".join(f"{mb:,.0f}" for mb in r["workers_peak_rss_mb"]) or "none"
            print(f"{engine:>6}: {r['seconds']:>7.1f} s wall, peak RSS driver {r['peak_rss_mb']:,.0f} MB, "
                  f"workers {workers} MB", flush=True)
            print(_stages_line(r["stages"]))
    if any(mismatches.values()):
        sys.exit("self-check failed: the column path disagrees with the reference")


if __name__ == "__main__":
    main()
