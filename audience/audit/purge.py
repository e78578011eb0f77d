"""Retention: deleting old export directories, each deletion recorded (what, when, how many files and bytes) so
that the audit can tell a purged run from files that went missing."""

import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from audience.audit import files, queries
from audience.audit.queries import SQL
from audience.errors import InputError
from audience.export import MANIFEST_NAME


@dataclass(frozen=True, slots=True)
class Purged:
    """One deleted export directory."""

    run_id: str
    path: Path
    files: int
    """Export files deleted (the manifest not counted)."""
    bytes: int
    found: bool = True
    """Whether the directory was there; a directory already gone is recorded as purged with nothing deleted."""


def purge(con: duckdb.DuckDBPyConnection, out: Path, older_than_days: int, *, now: datetime,
          dry_run: bool = False) -> list[Purged]:
    """Delete the export directories under `out` of runs and erasures recorded more than `older_than_days` days
    before `now`, and record each deletion in `purged_run`. Lineage and the ledger are kept.

    Raises:
        InputError: the number of days is negative, or a recorded directory lies outside `out` (nothing is deleted
            then; point --out at the directory the runs wrote to).
    """
    if older_than_days < 0:
        raise InputError(f"--older-than must be 0 or more days (got {older_than_days}).")
    queries.ensure_schema(con)
    candidates = SQL.rows(con, "purge_candidates.sql", {"before": now - timedelta(days=older_than_days)})
    root = out.resolve()
    directories = {row["id"]: files.located(out, row["id"], Path(row["out_dir"])) for row in candidates}
    for run_id, directory in directories.items():
        if directory.resolve().parent != root:
            raise InputError(f"Run {run_id} wrote to {directory}, which is not a directory of {out}; "
                             "pass the --out the runs used.")
    purged = []
    for row in candidates:
        directory = directories[row["id"]]
        found = [p for p in directory.rglob("*") if p.is_file()] if directory.is_dir() else []
        result = Purged(row["id"], directory, sum(p.name != MANIFEST_NAME or p.parent != directory for p in found),
                        sum(p.stat().st_size for p in found), directory.is_dir())
        if not dry_run:
            if directory.is_dir():
                shutil.rmtree(directory)
            SQL.script(con, "record_purge.sql", {"run_id": result.run_id, "path": str(directory),
                                                 "deleted_at": now, "files": result.files, "bytes": result.bytes})
        purged.append(result)
    return purged
