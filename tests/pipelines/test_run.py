"""`audience run` end to end through the CLI on generated data, checked from the export files alone."""

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from audience.identifiers.reference import canonical_email
from data.generator import AS_OF, write_sample_workspace_inputs
from pipelines.cli import app
from eligibility import PLATFORMS, eligible, expected_values, rows
from exported import exported, manifest
from workspaces import AS_OF_TEXT, SAMPLE_CUSTOMERS, Workspace, make_workspace

pytestmark = pytest.mark.flow
runner = CliRunner()
MINIMUM = {"google": 100, "meta": 100, "tiktok": 1000}
LOYAL = 5


def run(workspace: Workspace, *args: str) -> str:
    result = runner.invoke(app, ["run", "--config", str(workspace.config), *args])
    assert result.exit_code == 0, result.output
    return result.output


def expectation(workspace: Workspace, as_of: datetime, events: list[Path], suppressions: list[Path],
                imported_at: datetime) -> dict[str, dict[str, set[str]]]:
    allowed = eligible(workspace.inputs.customers, events, suppressions, as_of, imported_at=imported_at)
    return expected_values(workspace.inputs.customers, allowed)


def audience_values(values: dict[str, set[str]], customers: set[str] | None = None) -> set[str]:
    return {v for c, vs in values.items() if customers is None or c in customers for v in vs}


def loyal_customers(workspace: Workspace) -> set[str]:
    return {p["customer_id"] for p in rows(workspace.inputs.customers) if int(p["orders_12m"]) >= LOYAL}


def test_first_run_exports_exactly_the_eligible_values(prefect_api: str, workspace: Workspace) -> None:
    began = datetime.now(UTC)
    output = run(workspace, "--as-of", AS_OF_TEXT)
    (run_dir,) = workspace.run_dirs()
    got = exported(run_dir)
    want = expectation(workspace, AS_OF, [workspace.inputs.consent], [workspace.inputs.suppressions], began)
    loyal = loyal_customers(workspace)
    for platform in PLATFORMS:
        everyone = audience_values(want[platform])
        assert everyone and got[platform, "all", "full"] == everyone, platform
        assert got[platform, "all", "add"] == everyone
        assert (platform, "all", "remove") not in got
        loyal_members = {c for c in want[platform] if c in loyal}
        if len(loyal_members) >= MINIMUM[platform]:
            assert got[platform, "loyal", "full"] == audience_values(want[platform], loyal)
        else:
            assert (platform, "loyal", "full") not in got and (platform, "loyal", "add") not in got
            assert f"HELD BACK: {platform}/loyal" in output
    assert any(f"HELD BACK: " in line for line in output.splitlines()), "the sample should hold one audience back"


def test_a_second_run_removes_exactly_the_withdrawn_and_suppressed(prefect_api: str, workspace: Workspace,
                                                                   tmp_path: Path) -> None:
    began = datetime.now(UTC)
    run(workspace, "--as-of", AS_OF_TEXT)
    first = exported(workspace.run_dirs()[0])
    before = expectation(workspace, AS_OF, [workspace.inputs.consent], [workspace.inputs.suppressions], began)
    people = {p["customer_id"]: p for p in rows(workspace.inputs.customers)}
    exported_everywhere = sorted(set(before["google"]) & set(before["meta"]) & set(before["tiktok"]))
    meta_only, everywhere, by_email, by_id = (exported_everywhere[i:i + 5] for i in range(0, 20, 5))
    by_email = [c for c in by_email if people[c]["email"]]
    moment = (AS_OF + timedelta(minutes=1)).isoformat()
    events = tmp_path / "withdrawals.csv"
    with events.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["event_id", "customer_id", "platform", "action", "effective_at", "recorded_at"])
        w.writerows([f"W-{c}", c, "meta", "withdraw", moment, moment] for c in meta_only)
        w.writerows([f"W-{c}", c, "*", "withdraw", moment, moment] for c in everywhere)
    suppressions = tmp_path / "objections.csv"
    with suppressions.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["customer_id", "email", "phone", "kind", "effective_at", "recorded_at"])
        w.writerows(["", f"  {people[c]['email'].upper()} ", "", "objection", moment, moment] for c in by_email)
        w.writerows([c, "", "", "erasure", moment, moment] for c in by_id)
    as_of = AS_OF + timedelta(minutes=2)
    earlier = set(workspace.run_dirs())
    run(workspace, "--as-of", as_of.isoformat(), "--consent", str(events), "--suppressions", str(suppressions))
    (later,) = set(workspace.run_dirs()) - earlier
    second = exported(later)
    after = expectation(workspace, as_of, [workspace.inputs.consent, events],
                        [workspace.inputs.suppressions, suppressions], began)
    suppressed_emails = {canonical_email(people[c]["email"]).value for c in by_email}
    same_email = {c for c, p in people.items() if p["email"] and canonical_email(p["email"]).value in suppressed_emails}
    gone = {"google": set(everywhere + by_id) | same_email, "meta": set(meta_only + everywhere + by_id) | same_email,
            "tiktok": set(everywhere + by_id) | same_email}
    for platform in PLATFORMS:
        assert set(before[platform]) - set(after[platform]) == gone[platform] & set(before[platform])
        assert set(after[platform]) <= set(before[platform]), "nobody else changed"
        assert second[platform, "all", "full"] == audience_values(after[platform])
        removed = audience_values(before[platform], gone[platform]) - audience_values(after[platform])
        assert second[platform, "all", "remove"] == removed
        assert removed and removed <= first[platform, "all", "full"]
        assert (platform, "all", "add") not in second


def test_the_same_inputs_and_as_of_give_byte_identical_files(prefect_api: str, workspace: Workspace,
                                                             tmp_path: Path) -> None:
    twin = make_workspace(tmp_path / "twin", workspace.inputs)
    run(workspace, "--as-of", AS_OF_TEXT)
    run(twin, "--as-of", AS_OF_TEXT)
    (a,), (b,) = workspace.run_dirs(), twin.run_dirs()
    assert a.name != b.name
    files = {p.relative_to(a): p.read_bytes() for p in a.rglob("*") if p.is_file() and p.name != "manifest.json"}
    assert files == {p.relative_to(b): p.read_bytes() for p in b.rglob("*") if p.is_file() and p.name != "manifest.json"}
    assert manifest(a)["files"] == manifest(b)["files"] and manifest(a)["as_of"] == manifest(b)["as_of"]


def test_a_malformed_consent_file_stops_the_run_before_any_export(prefect_api: str, workspace: Workspace,
                                                                  tmp_path: Path) -> None:
    broken = tmp_path / "consent.csv"
    broken.write_text("event_id,customer_id,platform,effective_at\nE1,C00000001,meta,2026-01-01T00:00:00Z\n",
                      encoding="utf-8")
    result = runner.invoke(app, ["run", "--config", str(workspace.config), "--consent", str(broken)])
    assert result.exit_code == 1
    assert "action" in result.output
    assert not any((d / "manifest.json").exists() for d in workspace.run_dirs())
    assert not workspace.run_dirs()
    assert not workspace.db.exists(), "refused from its header, before a run is recorded"


def test_a_customers_file_without_customer_id_is_refused(prefect_api: str, workspace: Workspace,
                                                         tmp_path: Path) -> None:
    broken = tmp_path / "customers.csv"
    broken.write_text("id,email\n1,jan@example.pl\n", encoding="utf-8")
    result = runner.invoke(app, ["run", "--config", str(workspace.config), "--customers", str(broken)])
    assert result.exit_code == 1
    assert "customer_id" in result.output and "jan@example.pl" not in result.output
    assert not workspace.run_dirs()


def test_rejected_rows_are_recorded_by_row_column_and_reason(prefect_api: str, workspace: Workspace) -> None:
    output = run(workspace, "--as-of", AS_OF_TEXT)
    assert "identifier values rejected" in output
    with duckdb.connect(str(workspace.db), read_only=True) as con:
        rejected = con.execute('SELECT input, source_row, "column", reason FROM rejected_row').fetchall()
        inputs = dict(con.execute("SELECT input, rows_accepted FROM run_input").fetchall())
    assert rejected and all(r[1] is None or r[1] >= 1 for r in rejected)
    assert {r[2] for r in rejected if r[0] == "customers"} >= {"email", "phone", "device_id"}
    assert inputs["customers"] == len(rows(workspace.inputs.customers))


def test_parquet_inputs_give_the_same_files_as_csv(prefect_api: str, workspace: Workspace, tmp_path: Path) -> None:
    parquet = write_sample_workspace_inputs(tmp_path / "parquet", SAMPLE_CUSTOMERS, fmt="parquet")
    twin = make_workspace(tmp_path / "twin", parquet)
    run(workspace, "--as-of", AS_OF_TEXT)
    run(twin, "--as-of", AS_OF_TEXT)
    (a,), (b,) = workspace.run_dirs(), twin.run_dirs()
    assert manifest(a)["files"] == manifest(b)["files"]


def test_a_run_as_of_a_time_before_an_erasure_does_not_export_the_erased_person(prefect_api: str,
                                                                              workspace: Workspace) -> None:
    began = datetime.now(UTC)
    run(workspace, "--as-of", AS_OF_TEXT)
    (first_dir,) = workspace.run_dirs()
    first = exported(first_dir)
    want = expectation(workspace, AS_OF, [workspace.inputs.consent], [workspace.inputs.suppressions], began)
    people = {p["customer_id"]: p for p in rows(workspace.inputs.customers)}
    person = next(c for c in sorted(set(want["google"]) & set(want["meta"])) if people[c]["device_id"]
                  and any(not is_hash(v) for v in want["google"][c]))
    erased = runner.invoke(app, ["forget", "--customer-id", person, "--config", str(workspace.config)])
    assert erased.exit_code == 0, erased.output
    run(workspace, "--as-of", AS_OF_TEXT)
    (second_dir,) = [d for d in workspace.run_dirs() if d != first_dir and not d.name.startswith("erasure")]
    second = exported(second_dir)
    for platform in PLATFORMS:
        values = want[platform].get(person, set())
        assert second[platform, "all", "full"] == first[platform, "all", "full"] - values, platform
        removed = second.get((platform, "all", "remove"), set())
        assert removed <= values and all(not is_hash(v) for v in values - removed), platform
    verify = runner.invoke(app, ["audit", "verify", "--config", str(workspace.config)])
    assert verify.exit_code == 0, verify.output


def is_hash(value: str) -> bool:
    return len(value) == 64 and all(c in "0123456789abcdef" for c in value)


def test_an_audience_taken_out_of_the_config_is_removed_from_the_platforms_once(prefect_api: str,
                                                                               workspace: Workspace) -> None:
    lists = {"operating_account_id": "1234567890", "audiences": {"loyal": {"contact_list_id": "4441",
                                                                           "mobile_list_id": "4442"}}}
    make_workspace(workspace.root, workspace.inputs, google=lists)
    run(workspace, "--as-of", AS_OF_TEXT)
    (first_dir,) = workspace.run_dirs()
    first = exported(first_dir)
    held = [p for p in PLATFORMS if (p, "loyal", "full") in first]
    assert held, "the sample should export the loyal audience somewhere"
    make_workspace(workspace.root, workspace.inputs, audiences={})
    later = (AS_OF + timedelta(minutes=1)).isoformat()
    output = run(workspace, "--as-of", later)
    (second_dir,) = [d for d in workspace.run_dirs() if d != first_dir]
    second = exported(second_dir)
    for platform in PLATFORMS:
        assert (platform, "loyal", "full") not in second and (platform, "loyal", "add") not in second
        assert second.get((platform, "loyal", "remove"), set()) == first.get((platform, "loyal", "full"), set())
        assert (f"RETIRED: {platform}/loyal" in output) == (platform in held)
    bodies = [json.loads(p.read_text()) for p in (second_dir / "google" / "loyal" / "remove").glob("*remove-*.json")]
    assert bodies and {b["destinations"][0]["productDestinationId"] for b in bodies} == {"4441", "4442"}
    assert "google/loyal: the files name placeholders" not in output
    output = run(workspace, "--as-of", (AS_OF + timedelta(minutes=2)).isoformat())
    (third_dir,) = [d for d in workspace.run_dirs() if d not in (first_dir, second_dir)]
    assert "RETIRED" not in output and not any(audience == "loyal" for _, audience, _ in exported(third_dir))
    verify = runner.invoke(app, ["audit", "verify", "--config", str(workspace.config)])
    assert verify.exit_code == 0, verify.output
    report = runner.invoke(app, ["report", "--config", str(workspace.config), "--run", second_dir.name,
                                 "--html", str(workspace.root / "report.html")])
    assert report.exit_code == 0, report.output
    assert "loyal (retired: no longer configured)" in (workspace.root / "report.html").read_text()


def test_a_changed_google_destination_is_named_with_the_files_to_upload(prefect_api: str, workspace: Workspace) -> None:
    run(workspace, "--as-of", AS_OF_TEXT)
    make_workspace(workspace.root, workspace.inputs,
                   google={"operating_account_id": "1234567890", "contact_list_id": "51", "mobile_list_id": "52"})
    output = run(workspace, "--as-of", (AS_OF + timedelta(minutes=1)).isoformat())
    (first, _) = workspace.run_dirs()
    assert (f"google/all: the destination changed since run {first.name} (google.operating_account_id unset -> "
            "1234567890; google.contact_list_id unset -> 51; google.mobile_list_id unset -> 52)") in output
    assert "upload its full files to the new one" in output and "meta/all: the destination" not in output
    output = run(workspace, "--as-of", (AS_OF + timedelta(minutes=2)).isoformat())
    assert "the destination changed" not in output
