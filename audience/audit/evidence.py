"""What a run records for its reports and audits while its staging tables exist: the exclusion waterfall, the
digest of what an independent evaluation expects each target to hold, and the suppression keys (HMACs) of the
customers it leaves on a platform. The pipeline calls `record_run` once the audiences are planned."""

import duckdb

from audience.audit import digest, evaluation, queries
from audience.audit.queries import SQL
from audience.reports import funnel


def record_run(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Record run `run_id`'s waterfall counts, expected target digests and exported customers' keys.

    Call it on the run's connection after the audiences are planned (staging_plan and staging_member exist) and
    before the connection closes; calling it again replaces what it recorded.
    """
    queries.ensure_schema(con)
    run = evaluation.run_time(con, run_id)
    evaluation.evaluate(con, run, "staging")
    funnel.record(con, run_id)
    for target in SQL.rows(con, "staged_targets.sql"):
        expected = digest.digest(con, "expected_lines.sql", target)
        SQL.script(con, "record_digest.sql",
                   {"run_id": run_id, **target, "values": expected.values, "sha256": expected.sha256})
    SQL.script(con, "record_keys.sql", {"run_id": run_id})
