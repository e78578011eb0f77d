"""Every audit check passes on a workspace the pipeline built, and fails when exactly its property is broken (a
lineage row, a ledger row or a file edited behind the pipeline's back)."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from staged_runs import History, Workspace

from audience.audit.checks import CHECKS
from audience.audit.model import CheckResult
from audience.audit.purge import purge
from audience.audit.verify import verify
from audience.export import file_sha256, read_manifest
from consent.importer import import_file

NOW = datetime(2026, 11, 20, tzinfo=UTC)


def results(ws: Workspace, run_id: str | None = None) -> dict[str, CheckResult]:
    with ws.connect() as con:
        return {r.name: r for r in verify(con, ws.out, run_id=run_id, now=NOW).results}


def check(ws: Workspace, name: str) -> CheckResult:
    with ws.connect() as con:
        (result,) = verify(con, ws.out, now=NOW, names=[name]).results
    return result


def failing(ws: Workspace) -> set[str]:
    return {name for name, r in results(ws).items() if not r.passed}


def sql(ws: Workspace, statement: str, params: list | None = None) -> list[tuple]:
    with ws.connect() as con:
        cursor = con.execute(statement, params or [])
        return cursor.fetchall() if cursor.description else []


def test_the_demo_workspace_passes_every_check_and_each_check_looks_at_something(demo: History) -> None:
    found = results(demo.ws)
    assert list(found) == list(CHECKS)
    assert [name for name, r in found.items() if not r.passed] == []
    assert all(r.checked > 0 for r in found.values()), {n: r.checked for n, r in found.items()}
    assert all(r.property for r in found.values())


def test_one_run_can_be_checked_alone(demo: History) -> None:
    found = results(demo.ws, demo.runs[1])
    assert all(r.passed for r in found.values())
    assert found["withdrawal-removed"].checked > 0


def _insert_member(ws: Workspace, run_id: str, customer: str, identifier: str, id_type: str, event_id: str,
                   platform: str = "meta", audience: str = "all") -> None:
    sql(ws, "INSERT INTO membership VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [run_id, platform, audience, customer, identifier, id_type, "ab" * 32, event_id])


def test_consent_check_fails_for_a_value_exported_without_a_grant(demo: History, copy: Workspace) -> None:
    customer = demo.withdrawn[-1]
    _insert_member(copy, demo.runs[2], customer, "email", "EMAIL", f"T-W-{customer}")
    assert not check(copy, "consent-as-of-run").passed


def test_suppression_check_fails_for_a_customer_suppressed_by_email(demo: History, copy: Workspace) -> None:
    (event,) = sql(copy, "SELECT event_id FROM membership WHERE customer_id = ? LIMIT 1", [demo.erased])
    _insert_member(copy, demo.runs[2], demo.erased, "email", "EMAIL", event[0])
    assert sql(copy, "SELECT count(*) FROM run_key WHERE run_id = ? AND customer_id = ?",
               [demo.runs[2], demo.erased]) == [(1,)]
    result = check(copy, "not-suppressed")
    assert not result.passed and f"customer {demo.erased} (erasure)" in result.examples[0]


def test_suppression_check_fails_for_a_customer_suppressed_by_id(demo: History, copy: Workspace) -> None:
    (customer, event) = sql(copy, """
        SELECT e.customer_id, e.event_id FROM consent_event e JOIN suppression s USING (customer_id)
        WHERE e.action = 'grant' ORDER BY e.seq LIMIT 1""")[0]
    _insert_member(copy, demo.runs[2], customer, "email", "EMAIL", event)
    assert not check(copy, "not-suppressed").passed


def test_scope_check_fails_for_an_identifier_the_grant_does_not_cover(demo: History, copy: Workspace) -> None:
    customer, event = sql(copy, """
        SELECT m.customer_id, m.event_id FROM membership m JOIN consent_event e USING (event_id)
        WHERE m.run_id = ? AND m.platform = 'meta' AND e.identifiers = ['phone'] LIMIT 1""", [demo.runs[2]])[0]
    _insert_member(copy, demo.runs[2], customer, "email", "EMAIL", event)
    result = check(copy, "identifier-scope")
    assert not result.passed and "email" in result.examples[0]


def test_google_consent_check_fails_for_an_ingest_member_without_granted_consent(demo: History, copy: Workspace) -> None:
    body = copy.out / demo.runs[2] / "google" / "all" / "full" / "ingest-0001.json"
    text = body.read_text()
    body.write_text(text.replace('"adPersonalization": "CONSENT_GRANTED"', '"adPersonalization": "CONSENT_DENIED"', 1))
    result = check(copy, "google-consent")
    assert (result.passed, result.failed) == (False, 1)


def test_expiry_check_fails_when_a_run_exported_grants_older_than_its_consent_lifetime(demo: History,
                                                                                       copy: Workspace) -> None:
    ((config,),) = sql(copy, "SELECT CAST(config AS VARCHAR) FROM run WHERE run_id = ?", [demo.runs[2]])
    sql(copy, "UPDATE run SET config = ? WHERE run_id = ?",
        [json.dumps({**json.loads(config), "max_consent_age_days": 30}), demo.runs[2]])
    assert not check(copy, "no-expired-grant").passed


def test_withdrawal_check_fails_when_the_next_run_keeps_a_withdrawn_value(demo: History, copy: Workspace) -> None:
    first, second, _ = demo.runs
    customer = demo.late
    sql(copy, "INSERT INTO membership SELECT ?, platform, audience, customer_id, identifier, id_type, sha256, event_id "
              "FROM membership WHERE run_id = ? AND customer_id = ?", [second, first, customer])
    result = check(copy, "withdrawal-removed")
    assert not result.passed and f"customer {customer}" in result.examples[0]


def test_readd_check_fails_for_a_value_added_again_under_the_grant_that_was_withdrawn(demo: History,
                                                                                      copy: Workspace) -> None:
    customer = demo.regranted[0]
    sql(copy, "UPDATE membership SET event_id = ? WHERE run_id = ? AND customer_id = ?",
        [f"EV-{customer}-0", demo.runs[2], customer])
    result = check(copy, "no-readd-without-grant")
    assert not result.passed and f"customer {customer}" in result.examples[0]


def test_reproducibility_check_fails_when_the_run_used_another_evaluation(demo: History, copy: Workspace) -> None:
    sql(copy, "UPDATE run_evaluation SET sha256 = repeat('0', 64) WHERE run_id = ?", [demo.runs[2]])
    assert failing(copy) == {"reproducible"}


def test_reproducibility_check_re_reads_the_ledger_as_the_run_saw_it(demo: History, copy: Workspace) -> None:
    sql(copy, "UPDATE run SET ledger_head_seq = ledger_head_seq - 1 WHERE run_id = ?", [demo.runs[2]])
    result = check(copy, "reproducible")
    assert not result.passed and demo.runs[2] in result.examples[0]


@pytest.mark.parametrize("tamper", ["UPDATE consent_event SET action = 'grant' WHERE event_id = ?",
                                    "DELETE FROM consent_event WHERE event_id = ?"], ids=["update", "delete"])
def test_ledger_check_fails_when_a_ledger_row_is_changed(demo: History, copy: Workspace, tamper: str) -> None:
    ((seq,),) = sql(copy, "SELECT seq FROM consent_event WHERE event_id = ?", [f"T-W-{demo.withdrawn[5]}"])
    sql(copy, tamper, [f"T-W-{demo.withdrawn[5]}"])
    result = check(copy, "ledger-chain")
    assert not result.passed and f"ledger broken at seq {seq}" in result.examples[0]


def test_minimum_check_fails_for_an_audience_exported_below_its_minimum(demo: History, copy: Workspace) -> None:
    sql(copy, "UPDATE audience_export SET minimum = customers + 1 WHERE run_id = ? AND platform = 'meta' "
              "AND audience = 'all'", [demo.runs[2]])
    assert failing(copy) == {"minimum-size"}


def test_minimum_check_fails_for_a_held_back_audience_with_full_files(demo: History, copy: Workspace) -> None:
    sql(copy, "INSERT INTO export_file SELECT run_id, replace(path, '/all/', '/loyal/'), platform, 'loyal', op, "
              "identifier, rows, sha256 FROM export_file WHERE run_id = ? AND platform = 'meta' AND op = 'full' "
              "AND audience = 'all'", [demo.runs[2]])
    assert not check(copy, "minimum-size").passed


def test_delta_base_check_fails_when_a_successful_run_is_later_marked_failed(demo: History, copy: Workspace) -> None:
    sql(copy, "UPDATE run SET status = 'failed' WHERE run_id = ?", [demo.runs[1]])
    result = check(copy, "delta-base")
    assert not result.passed
    assert f"deltas against {demo.runs[1]}, but the last successful run before it is {demo.runs[0]}" in \
        result.examples[0]


def test_a_moved_workspace_is_checked_where_out_says(demo: History, copy: Workspace) -> None:
    for table in ("run", "erasure"):  # the copy records the original's directories, as a moved workspace does
        sql(copy, f"UPDATE {table} SET out_dir = replace(out_dir, ?, ?)", [str(copy.root), str(demo.ws.root)])
    assert failing(copy) == set()
    relative = "tiktok/all/full/PHONE_SHA256.txt"
    _rewrite_listed(copy, demo.runs[2], relative, "".join(_hash_lines(copy.out / demo.runs[2] / relative)[1:]))
    assert failing(copy) == {"files-match-lineage"}


def test_verify_lists_a_late_withdrawal_with_the_run_that_removed_it(demo: History) -> None:
    with demo.ws.connect() as con:
        late = verify(con, demo.ws.out, now=NOW).late
    assert {(a.run_id, a.customer_id, a.act, a.back_dated, a.outcome) for a in late} == {
        (demo.runs[0], demo.late, "withdraw (*)", False, f"removed by {demo.runs[1]}")}
    assert {a.platform for a in late} == {"google", "meta", "tiktok"}


def test_verify_lists_a_back_dated_withdrawal_imported_after_the_runs(demo: History, copy: Workspace,
                                                                      tmp_path: Path) -> None:
    ((customer, as_of),) = sql(copy, "SELECT m.customer_id, r.as_of FROM membership m JOIN run r USING (run_id) "
                                     "WHERE r.run_id = ? AND m.platform = 'meta' ORDER BY 1 LIMIT 1", [demo.runs[0]])
    moment = (as_of - timedelta(days=1)).isoformat()
    events = tmp_path / "back-dated.csv"
    events.write_text("event_id,customer_id,platform,action,effective_at,recorded_at\n"
                      f"BD-1,{customer},meta,withdraw,{moment},{moment}\n", encoding="utf-8")
    with copy.connect() as con:
        import_file(con, events, now=NOW)
        late = [a for a in verify(con, copy.out, now=NOW).late if a.act == "withdraw (meta)"]
    holding = sql(copy, "SELECT DISTINCT run_id FROM membership WHERE customer_id = ? AND platform = 'meta'",
                  [customer])
    assert {(a.run_id, a.customer_id, a.platform, a.back_dated, a.outcome) for a in late} == {
        (run_id, customer, "meta", True, "no run since") for (run_id,) in holding}


def _hash_lines(path: Path) -> list[str]:
    return path.read_text().splitlines(keepends=True)


def _rewrite_listed(copy: Workspace, run_id: str, relative: str, content: str) -> None:
    """Replace a listed file and make every checksum about it agree again (manifest, lineage, run)."""
    run_dir = copy.out / run_id
    (run_dir / relative).write_text(content)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    for entry in manifest["files"]:
        if entry["path"] == relative:
            entry["rows"], entry["sha256"] = content.count("\n"), file_sha256(run_dir / relative)
            sql(copy, "UPDATE export_file SET rows = ?, sha256 = ? WHERE run_id = ? AND path = ?",
                [entry["rows"], entry["sha256"], run_id, relative])
    (run_dir / "manifest.json").write_text(json.dumps(manifest, sort_keys=True, indent=2) + "\n")
    sql(copy, "UPDATE run SET manifest_sha256 = ? WHERE run_id = ?", [file_sha256(run_dir / "manifest.json"), run_id])


def test_file_check_fails_for_a_value_that_is_not_a_lowercase_hash(demo: History, copy: Workspace) -> None:
    relative = "tiktok/all/full/EMAIL_SHA256.txt"
    lines = _hash_lines(copy.out / demo.runs[2] / relative)
    _rewrite_listed(copy, demo.runs[2], relative, "".join([lines[0].upper(), *lines[1:]]))
    result = check(copy, "file-contents")
    assert not result.passed and "1 value(s) are not a SHA-256 hex" in result.examples[0]


def test_file_check_fails_for_a_raw_email_in_a_csv(demo: History, copy: Workspace) -> None:
    relative = "meta/all/full/customers.csv"
    lines = (copy.out / demo.runs[2] / relative).read_text().splitlines(keepends=True)
    cells = lines[1].split(",")
    cells[0] = "jan.kowalski@example.pl"
    _rewrite_listed(copy, demo.runs[2], relative, "".join([lines[0], ",".join(cells), *lines[2:]]))
    assert not check(copy, "file-contents").passed


def test_a_raw_phone_in_a_hashed_file_is_not_shown_as_a_hash_prefix(demo: History, copy: Workspace) -> None:
    relative = "meta/all/full/customers.csv"
    lines = (copy.out / demo.runs[2] / relative).read_text().splitlines(keepends=True)
    row = next(i for i, line in enumerate(lines) if i and line.split(",")[1])
    cells = lines[row].split(",")
    cells[1] = "+48601222301"
    lines[row] = ",".join(cells)
    _rewrite_listed(copy, demo.runs[2], relative, "".join(lines))
    result = check(copy, "files-match-lineage")
    assert not result.passed
    assert "(a value that is not a SHA-256 hex digest)" in result.examples[0] and "+4860" not in result.examples[0]


def test_lineage_check_fails_for_a_consistent_file_that_lacks_a_value(demo: History, copy: Workspace) -> None:
    relative = "tiktok/all/full/PHONE_SHA256.txt"
    lines = _hash_lines(copy.out / demo.runs[2] / relative)
    _rewrite_listed(copy, demo.runs[2], relative, "".join(lines[1:]))
    assert failing(copy) == {"files-match-lineage"}
    (example,) = check(copy, "files-match-lineage").examples
    assert example.endswith(f"and they differ (only in lineage: PHONE_SHA256 {lines[0][:12]}…)")


def test_lineage_check_fails_when_a_recorded_removal_is_deleted(demo: History, copy: Workspace) -> None:
    removals = sql(copy, "SELECT run_id, count(*) FROM removal GROUP BY run_id ORDER BY run_id")
    assert removals, "the demo history removes something"
    run_id = removals[0][0]
    sql(copy, "DELETE FROM removal WHERE rowid = (SELECT min(rowid) FROM removal WHERE run_id = ?)", [run_id])
    assert failing(copy) == {"files-match-lineage"}
    result = check(copy, "files-match-lineage")
    assert f"{run_id}: the removal table and membership differ in 1 value(s)" in result.examples


def test_manifest_check_fails_when_a_manifest_changes(demo: History, copy: Workspace) -> None:
    manifest = copy.out / demo.runs[1] / "manifest.json"
    manifest.write_text(json.dumps(json.loads(manifest.read_text()), indent=4))
    assert failing(copy) == {"manifest-checksums"}


def test_manifest_check_fails_when_a_listed_file_changes(demo: History, copy: Workspace) -> None:
    path = copy.out / demo.runs[0] / "meta" / "all" / "add" / "customers.csv"
    path.write_text(path.read_text().replace("\n", "\r\n", 1))
    result = check(copy, "manifest-checksums")
    assert not result.passed and "meta/all/add/customers.csv does not match" in result.examples[0]


@pytest.mark.parametrize("stray", ["{run}/meta/all/full/extra.csv", "{run}/tiktok/all/full/.EMAIL_SHA256.txt.x.tmp",
                                   "20990101T000000Z-00000000/manifest.json", "notes.txt"])
def test_unlisted_check_fails_for_any_file_no_manifest_lists(demo: History, copy: Workspace, stray: str) -> None:
    path = copy.out / stray.format(run=demo.runs[2])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x\n")
    assert failing(copy) == {"no-unlisted-file"}


def test_purged_runs_pass_and_are_told_apart_from_missing_files(demo: History, copy: Workspace) -> None:
    with copy.connect() as con:
        done = purge(con, copy.out, 1, now=datetime.now(UTC) + timedelta(days=2))
    assert [p.run_id for p in done] == list(demo.runs)
    assert not any(copy.out.iterdir())
    assert failing(copy) == set()
    (copy.out / demo.runs[0]).mkdir()
    (copy.out / demo.runs[0] / "manifest.json").write_text("{}")
    assert failing(copy) == {"manifest-checksums", "no-unlisted-file"}


def test_a_run_directory_deleted_without_a_purge_record_fails(demo: History, copy: Workspace) -> None:
    for path in sorted((copy.out / demo.runs[0]).rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    result = check(copy, "manifest-checksums")
    assert not result.passed and "manifest.json is missing" in result.examples[0]


def test_purge_records_what_it_deleted(demo: History, copy: Workspace) -> None:
    listed = read_manifest(copy.out / demo.runs[0]).files
    size = sum(p.stat().st_size for p in (copy.out / demo.runs[0]).rglob("*") if p.is_file())
    with copy.connect() as con:
        later = datetime.now(UTC) + timedelta(seconds=1)
        dry = purge(con, copy.out, 0, now=later, dry_run=True)
        assert (copy.out / demo.runs[0]).is_dir() and con.execute("SELECT count(*) FROM purged_run").fetchall() == [(0,)]
        purge(con, copy.out, 0, now=later)
        rows = {r[0]: r[1:] for r in con.execute("SELECT run_id, path, files, bytes FROM purged_run").fetchall()}
    assert [d.run_id for d in dry] == list(demo.runs)
    assert sorted(rows) == sorted(demo.runs)
    assert rows[demo.runs[0]] == (str(copy.out / demo.runs[0]), len(listed), size)
    assert not (copy.out / demo.runs[0]).exists()


def test_purge_refuses_directories_outside_the_output_directory(demo: History, copy: Workspace,
                                                                tmp_path: Path) -> None:
    from audience.errors import InputError

    with copy.connect() as con, pytest.raises(InputError, match="not a directory of"):
        purge(con, tmp_path / "elsewhere", 0, now=datetime.now(UTC) + timedelta(seconds=1))
    assert (copy.out / demo.runs[0]).is_dir()


def test_checks_read_no_identifier_into_their_examples(demo: History, copy: Workspace) -> None:
    _insert_member(copy, demo.runs[2], demo.withdrawn[-1], "email", "EMAIL", "x")
    for result in results(copy).values():
        assert all("@" not in e for e in result.examples)

