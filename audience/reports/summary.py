"""A short summary of a run for the Prefect UI: one markdown block and one table, from the same masked report
model as the HTML report (the flow passes them to Prefect's create_markdown_artifact / create_table_artifact)."""

from datetime import datetime

import duckdb

from audience.reports.build import build_report
from audience.reports.model import DEFAULT_THRESHOLD, Report


def summary_rows(report: Report) -> list[dict[str, str]]:
    """One row per platform and audience: status and the waterfall's shown counts."""
    return [
        {"platform": w.platform, "audience": w.audience, "status": w.status,
         **{step.label: step.count for step in w.steps}}
        for w in report.waterfalls
    ]


def summary_markdown(report: Report) -> str:
    """The run, its held-back audiences and its rejected values by reason, as markdown."""
    lines = [f"### Run {report.run.run_id}", "",
             f"As of {report.run.as_of}; {report.run.files} files. {report.masking}", "",
             "| platform | audience | status | customers | valid | consented | exported | match rate |",
             "|---|---|---|---:|---:|---:|---:|---:|"]
    rates = {(m.platform, m.audience): m.rate for m in report.match_rates}
    for w in report.waterfalls:
        step = {s.key: s.count for s in w.steps}
        lines.append(f"| {w.platform} | {w.audience} | {w.status.replace('_', ' ')} | {step['customers']} | "
                     f"{step['valid']} | {step['consented']} | {step['exported']} | {rates[(w.platform, w.audience)]} |")
    if report.held_back:
        lines += ["", "**Held back** (below the platform minimum, or retired): " + ", ".join(
            f"{h.platform}/{h.audience} (retired: no longer configured; {h.removals} removals)" if h.retired else
            f"{h.platform}/{h.audience} ({h.customers} members, below the minimum of {h.minimum})"
            for h in report.held_back)]
    if report.quality:
        lines += ["", "**Rejected** by reason: " + "; ".join(
            f"{q.input} {'' if q.platform in ('', 'all') else q.platform + ' '}{q.reason}: {q.count}"
            for q in report.quality)]
    return "\n".join(lines) + "\n"


def run_summary(con: duckdb.DuckDBPyConnection, run_id: str, *, now: datetime,
                threshold: int = DEFAULT_THRESHOLD) -> tuple[str, list[dict[str, str]]]:
    """The markdown and the table rows to publish for run `run_id`."""
    report = build_report(con, run_id, threshold=threshold, now=now)
    return summary_markdown(report), summary_rows(report)
