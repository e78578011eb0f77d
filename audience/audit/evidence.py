"""What a run records for its reports and audits while its staging tables exist: the exclusion waterfall, the
digest of the consent evaluation it used, and the suppression keys (HMACs) of the customers it leaves on a platform
or that a suppression by email or phone names. The pipeline calls `record_run` once the audiences are planned."""

import duckdb

from audience.audit import digest, evaluation, queries
from audience.audit.queries import SQL
from audience.reports import funnel


def record_run(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Record run `run_id`'s waterfall counts, evaluation digest and customer keys.

    Call it on the run's connection after the audiences are planned (staging_eligible, staging_plan and
    staging_member exist) and before the connection closes; calling it again replaces what it recorded.
    """
    queries.ensure_schema(con)
    run = evaluation.run_time(con, run_id)
    evaluation.evaluate_suppressed(con, run)
    funnel.record(con, run_id)
    used = digest.digest(con, "eligible_lines.sql", {})
    SQL.script(con, "record_evaluation.sql", {"run_id": run_id, "rows": used.values, "sha256": used.sha256})
    SQL.script(con, "record_keys.sql", {"run_id": run_id})
