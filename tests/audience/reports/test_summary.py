"""The Prefect summary of a run: a markdown block and table rows, masked like the report."""

from datetime import UTC, datetime

from staged_runs import History

from audience.reports.summary import run_summary

NOW = datetime(2026, 11, 21, tzinfo=UTC)


def test_the_summary_names_the_run_its_audiences_and_what_was_held_back(reported: History) -> None:
    with reported.ws.connect() as con:
        markdown, rows = run_summary(con, reported.runs[-1], now=NOW)
        exported = dict(((p, a), c) for p, a, c in con.execute(
            "SELECT platform, audience, customers FROM audience_export WHERE run_id = ? AND status = 'exported'",
            [reported.runs[-1]]).fetchall())
    assert markdown.startswith(f"### Run {reported.runs[-1]}")
    assert "| meta | all | exported |" in markdown and "**Held back**" in markdown
    assert {(r["platform"], r["audience"]) for r in rows} == {(p, a) for p in ("google", "meta", "tiktok")
                                                              for a in ("all", "loyal")}
    for r in rows:
        if (r["platform"], r["audience"]) in exported:
            count = exported[(r["platform"], r["audience"])]
            assert r["exported"] == f"{5 * ((2 * count + 5) // 10):,}"  # rounded half up to a multiple of 5
        else:
            assert (r["status"], r["exported"]) == ("held_back", "0")
    assert 'the others rounded to the nearest 5' in markdown
    assert "@" not in "".join(str(v) for r in rows for v in r.values())
