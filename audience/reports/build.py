"""The analysts' report built from lineage: exclusion waterfalls, identifier quality, match rates and their trend,
held-back audiences. Counts below the threshold are masked here, before anything is rendered."""

from collections.abc import Mapping
from datetime import datetime
from itertools import groupby
from typing import Any

import duckdb

from audience.errors import InputError
from audience.hashing import hash_prefix
from audience.reports import charts, queries
from audience.store import RETIRED
from audience.reports.model import (
    DEFAULT_THRESHOLD,
    STEPS,
    HeldBack,
    IdentifierSteps,
    MatchRate,
    QualityRow,
    Report,
    RunInfo,
    Step,
    Trend,
    TrendPoint,
    Waterfall,
    masked,
    masking_note,
    published,
    share,
    shown,
)


def resolve_run(con: duckdb.DuckDBPyConnection, run_id: str | None) -> str:
    """`run_id` if it is a successful run of the workspace; by default the latest successful run.

    Raises:
        InputError: the run is unknown or did not succeed, or there is no successful run yet.
    """
    queries.ensure_schema(con)
    if run_id is None:
        found = queries.rows(con, "latest_run.sql")
        if not found:
            raise InputError("The workspace has no successful run yet; run `audience run` first.")
        return found[0]["run_id"]
    found = queries.rows(con, "run.sql", {"run_id": run_id})
    if not found:
        raise InputError(f"No run {run_id!r} in this workspace; omit --run for the latest, or check the run id "
                         "(the output directory's names).")
    if found[0]["status"] != "succeeded":
        raise InputError(f"Run {run_id} {found[0]['status']} and exported nothing; report on a successful run.")
    return run_id


def build_report(con: duckdb.DuckDBPyConnection, run_id: str | None = None, *,
                 threshold: int = DEFAULT_THRESHOLD, now: datetime) -> Report:
    """The report on one run (default: the latest successful one), with trends over every earlier run.

    Raises:
        InputError: the run is unknown, or the workspace has no successful run.
    """
    if threshold < 1:
        raise InputError(f"The threshold must be at least 1 (got {threshold}); counts below it are masked.")
    run_id = resolve_run(con, run_id)
    (run,) = queries.rows(con, "run.sql", {"run_id": run_id})
    targets = queries.rows(con, "waterfall.sql", {"run_id": run_id})
    by_identifier = queries.rows(con, "identifiers.sql", {"run_id": run_id})
    return Report(
        title=f"Audience report, run {run_id}",
        generated_at=now.isoformat(timespec="seconds"),
        threshold=threshold,
        masking=masking_note(threshold),
        run=_run_info(run),
        runs=run["succeeded_runs"],
        later_runs=run["later_runs"],
        waterfalls=tuple(_waterfall(t, by_identifier, threshold) for t in targets),
        quality=tuple(
            QualityRow(q["input"], q["column"], q["platform"], q["reason"], shown(q["rows"], threshold))
            for q in queries.rows(con, "quality.sql", {"run_id": run_id})
        ),
        match_rates=tuple(_match_rate(t, threshold) for t in targets),
        trends=_trends(queries.rows(con, "trend.sql", {"run_id": run_id}), threshold),
        held_back=tuple(
            HeldBack(t["platform"], t["audience"], shown(t["not_suppressed"], threshold), f"{t['minimum']:,}",
                     shown(t["remove_rows"], threshold), t["condition"] == RETIRED)
            for t in targets if t["status"] == "held_back"
        ),
    )


def step_counts(target: Mapping[str, Any]) -> dict[str, int | None]:
    """A target's count at every waterfall step (None where not recorded)."""
    return {key: target.get(key) for key, _ in STEPS}


def _run_info(run: Mapping[str, Any]) -> RunInfo:
    head = "not recorded" if run["ledger_head_seq"] is None else \
        f"seq {run['ledger_head_seq']:,}, {hash_prefix(run['ledger_head_hash'] or '')}"
    return RunInfo(
        run_id=run["run_id"], as_of=_time(run["as_of"]), started_at=_time(run["started_at"]),
        finished_at=_time(run["finished_at"]), status=run["status"], code_version=run["code_version"],
        rules_version=run["rules_version"], config_sha256=hash_prefix(run["config_sha256"]), ledger_head=head,
        files=f"{run['files']:,}",
        manifest_sha256=hash_prefix(run["manifest_sha256"]) if run["manifest_sha256"] else "none",
    )


def _waterfall(target: Mapping[str, Any], by_identifier: list[dict[str, Any]], threshold: int) -> Waterfall:
    counts = step_counts(target)
    whole = counts["customers"]
    steps = tuple(Step(key, label, shown(counts[key], threshold), share(counts[key], whole, threshold))
                  for key, label in STEPS)
    chart = charts.bar_chart([label for _, label in STEPS], [published(counts[k], threshold) for k, _ in STEPS],
                             [s.count for s in steps], [masked(counts[k], threshold) for k, _ in STEPS])
    kinds = tuple(
        IdentifierSteps(row["identifier"], tuple(shown(row[key], threshold) for key, _ in STEPS))
        for row in by_identifier if (row["platform"], row["audience"]) == (target["platform"], target["audience"])
    )
    return Waterfall(target["platform"], target["audience"], target["status"], steps, chart, kinds)


def _match_rate(target: Mapping[str, Any], threshold: int) -> MatchRate:
    return MatchRate(
        platform=target["platform"], audience=target["audience"],
        customers=shown(target["customers"], threshold), exported=shown(target["exported"], threshold),
        ceiling=share(target["exported"], target["customers"], threshold),
        uploaded=shown(target["uploaded"], threshold) if target["uploaded"] is not None else "",
        matched=shown(target["matched"], threshold) if target["matched"] is not None else "",
        rate=rate_text(target, threshold),
        source="" if target["source_file"] is None else target["source_file"],
    )


def rate_text(row: Mapping[str, Any], threshold: int) -> str:
    """The reported match rate: matched / uploaded, a platform's range, or a dash when unknown or masked."""
    if row["match_rate_range"] is not None:
        return f"{round(100 * row['rate_low'])}–{round(100 * row['rate_high'])} %"
    return share(row["matched"], row["uploaded"], threshold)


def rate_value(row: Mapping[str, Any], threshold: int) -> float | None:
    """The rate a trend line plots: matched / uploaded of the published counts, or the middle of a reported range."""
    if row["match_rate_range"] is not None:
        return (row["rate_low"] + row["rate_high"]) / 2
    matched, uploaded = published(row["matched"], threshold), published(row["uploaded"], threshold)
    if matched is None or not uploaded:
        return None
    return matched / uploaded


def _trends(rows: list[dict[str, Any]], threshold: int) -> tuple[Trend, ...]:
    trends = []
    for (platform, audience), group in groupby(rows, key=lambda r: (r["platform"], r["audience"])):
        runs = list(group)
        points = tuple(TrendPoint(r["run_id"], _time(r["as_of"]), shown(r["exported"], threshold),
                                  rate_text(r, threshold)) for r in runs)
        chart = charts.line_chart([_time(r["as_of"])[:10] for r in runs], [rate_value(r, threshold) for r in runs],
                                  [f"{p.as_of[:10]}: {p.rate}" for p in points])
        trends.append(Trend(platform, audience, points, chart))
    return tuple(trends)


def _time(value: datetime | None) -> str:
    return "" if value is None else value.isoformat(timespec="seconds")

