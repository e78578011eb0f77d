"""Deterministic, streaming sample inputs for audience: customers, consent events and suppressions.

Every value is a pure function of (seed, row), so files are byte-identical for the same seed whatever the chunk
size, the three files agree with each other, and 10 million customers never sit in memory at once.

    python -m data.generator DIR --customers N [--seed S] [--format csv|parquet]
"""

import argparse
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from data.consent_events import CONSENT_SCHEMA, consent_table
from data.customers import CUSTOMER_SCHEMA, customer_table
from data.files import chunks, write_tables
from data.messy import messy_values
from data.suppressions import SUPPRESSION_SCHEMA, suppression_table
from data.timestamps import seconds

__all__ = [
    "AS_OF",
    "SampleInputs",
    "messy_values",
    "write_consent_events",
    "write_customers",
    "write_sample_workspace_inputs",
    "write_suppressions",
]

AS_OF = datetime(2026, 11, 1, tzinfo=UTC)
"""The reference time the sample consent events and suppressions are placed around."""

CHUNK_ROWS = 200_000
EVENT_CHUNK_CUSTOMERS = 100_000
"""Customers per chunk of consent events and suppressions (about 2 events each)."""


@dataclass(frozen=True, slots=True)
class SampleInputs:
    """The three input files of a sample workspace."""

    customers: Path
    consent: Path
    suppressions: Path


def write_customers(path: Path, n: int, *, seed: int = 7, chunk_rows: int = CHUNK_ROWS) -> int:
    """Write n sample customers to path (.csv or .parquet).

    Args:
        path: the file to write; its extension chooses the format.
        n: how many customers (customer_id C00000001 onwards).
        seed: the same seed gives the same file.
        chunk_rows: rows generated and written at a time; does not change the content.

    Returns:
        The number of rows written.
    """
    tables = (customer_table(seed, start, stop) for start, stop in chunks(n, chunk_rows))
    return write_tables(path, CUSTOMER_SCHEMA, tables)


def write_consent_events(path: Path, n_customers: int, *, seed: int = 7, as_of: datetime = AS_OF) -> int:
    """Write the consent events of the n_customers sample customers of seed to path; return the rows written.

    Events fall before as_of (timezone-aware), with a few after it and a few for unknown customer ids.
    """
    at = seconds(as_of)
    tables = (consent_table(seed, a, b, n_customers, at) for a, b in chunks(n_customers, EVENT_CHUNK_CUSTOMERS))
    return write_tables(path, CONSENT_SCHEMA, tables)


def write_suppressions(path: Path, n_customers: int, *, seed: int = 7, as_of: datetime = AS_OF) -> int:
    """Write suppressions for about 1 % of the n_customers sample customers of seed to path; return the rows written."""
    at = seconds(as_of)
    tables = (suppression_table(seed, a, b, at) for a, b in chunks(n_customers, EVENT_CHUNK_CUSTOMERS))
    return write_tables(path, SUPPRESSION_SCHEMA, tables)


def write_sample_workspace_inputs(
    directory: Path, n: int, *, seed: int = 7, fmt: Literal["csv", "parquet"] = "csv"
) -> SampleInputs:
    """Write customers.<fmt>, consent.<fmt> and suppressions.<fmt> for n customers into directory."""
    inputs = SampleInputs(
        customers=directory / f"customers.{fmt}",
        consent=directory / f"consent.{fmt}",
        suppressions=directory / f"suppressions.{fmt}",
    )
    write_customers(inputs.customers, n, seed=seed)
    write_consent_events(inputs.consent, n, seed=seed)
    write_suppressions(inputs.suppressions, n, seed=seed)
    return inputs


def main(argv: list[str] | None = None) -> None:
    """Command line: write a sample workspace's inputs and print what was written and how long it took."""
    parser = argparse.ArgumentParser(prog="python -m data.generator", description=main.__doc__)
    parser.add_argument("directory", type=Path, help="where to write the files (created if missing)")
    parser.add_argument("--customers", type=int, required=True, help="how many customers")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--format", choices=["csv", "parquet"], default="csv", help="file format (default csv)")
    args = parser.parse_args(argv)
    for name, write in (
        (f"customers.{args.format}", lambda p: write_customers(p, args.customers, seed=args.seed)),
        (f"consent.{args.format}", lambda p: write_consent_events(p, args.customers, seed=args.seed)),
        (f"suppressions.{args.format}", lambda p: write_suppressions(p, args.customers, seed=args.seed)),
    ):
        started = time.perf_counter()
        rows = write(args.directory / name)
        print(f"{args.directory / name}: {rows:,} rows in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
