"""Consent ledger benchmark: import the sample generator's events and suppressions, evaluate, verify, re-import.

Run: .venv/bin/python tests/consent/bench_consent.py --customers 5720000 --keys 10000000 --dir /tmp/consent-bench
(--customers sets how many sample customers have events, about 1.75 events each; --keys how many customers the
evaluation matches suppressions against). Prints one line per step with seconds and peak memory.
"""

import argparse
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import psutil

from consent.evaluate import evaluate
from consent.importer import import_file
from consent.integrity import verify
from consent.keys import hmac_parameters, identifier_hmac_sql
from data.generator import AS_OF, write_consent_events, write_suppressions


_cpu = [0.0]


def step(name: str, began: float, detail: str = "") -> None:
    """One line: wall seconds since `began`, CPU seconds of this process since the last step, resident memory."""
    process = psutil.Process()
    cpu = sum(process.cpu_times()[:2])
    rss = process.memory_info().rss / 2**30
    print(f"{name:<26} wall {time.perf_counter() - began:6.1f} s  cpu {cpu - _cpu[0]:6.1f} s  rss {rss:4.1f} GiB  "
          f"{detail}", flush=True)
    _cpu[0] = cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=5_720_000)
    parser.add_argument("--keys", type=int, default=10_000_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/consent-bench"))
    parser.add_argument("--memory-limit", default="6GB")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    events, suppressions = args.dir / f"events-{args.customers}.csv", args.dir / f"suppressions-{args.customers}.csv"
    if not events.exists():
        began = time.perf_counter()
        rows = write_consent_events(events, args.customers)
        write_suppressions(suppressions, args.customers)
        step("generate (not measured)", began, f"{rows:,} events")
    db = args.dir / "bench.duckdb"
    for stale in (db, db.with_name(db.name + ".wal")):
        stale.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    step("connect", time.perf_counter())
    con.execute(f"SET memory_limit = '{args.memory_limit}'")
    con.execute("SET preserve_insertion_order = false")
    now = datetime.now(UTC)

    began = time.perf_counter()
    report = import_file(con, events, now=now)
    step("import events", began, f"{report.rows:,} rows, {report.accepted:,} accepted, {report.rejected:,} rejected")
    began = time.perf_counter()
    report = import_file(con, suppressions, now=now)
    step("import suppressions", began, f"{report.rows:,} rows, {report.accepted:,} accepted")

    began = time.perf_counter()
    email = identifier_hmac_sql("'user' || i || '@example.pl'")
    phone = identifier_hmac_sql("'+48500' || lpad(i::VARCHAR, 6, '0')")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE customer_key AS SELECT printf('C%08d', i) AS customer_id, "
        f"CASE WHEN i % 5 <> 0 THEN {email} END AS email_hmac, CASE WHEN i % 3 <> 0 THEN {phone} END AS phone_hmac "
        "FROM range(1, $n + 1) t(i)",
        {"n": args.keys, **hmac_parameters(con)},
    )
    step("customer keys (setup)", began, f"{args.keys:,} customers")

    began = time.perf_counter()
    evaluate(con, AS_OF).to_table("eligible")
    eligible = con.execute("SELECT count(*), count(DISTINCT customer_id) FROM eligible").fetchall()[0]
    step("evaluate", began, f"{eligible[0]:,} (platform, customer) rows, {eligible[1]:,} customers")

    began = time.perf_counter()
    result = verify(con)
    step("verify", began, f"{result.rows:,} rows, intact={result.intact}")

    began = time.perf_counter()
    report = import_file(con, events, now=now)
    step("re-import events", began, f"{report.accepted:,} accepted, {report.duplicates:,} duplicates")
    con.close()


if __name__ == "__main__":
    main()
