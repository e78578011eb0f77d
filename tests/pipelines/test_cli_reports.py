"""`audience audit verify`, `audit trace`, `forget` and `purge` end to end through the CLI, on a workspace with three
runs; after `forget`, no raw identifier of the person is left in any table of the workspace database, nor in its
file."""

import csv
import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from staged_runs import History, Workspace, history, run
from typer.testing import CliRunner

from audience import stages, store
from audience.audit.checks import CHECKS
from audience.hashing import sha256_hex
from audience.identifiers.reference import canonical_email, canonical_maid, canonical_phone, platform_value
from audience.identifiers.rules import PLATFORMS
from pipelines.cli import app


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> History:
    return history(tmp_path_factory.mktemp("cli") / "ws")


@pytest.fixture
def ws(demo: History, tmp_path: Path) -> Workspace:
    return demo.ws.copy(tmp_path / "ws")


def cli(ws: Workspace, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, [*args, "--db", str(ws.db), "--out", str(ws.out)])
    return result.exit_code, result.output


def person(ws: Workspace, customer_id: str) -> dict[str, str]:
    with (ws.inputs / "customers.csv").open(encoding="utf-8", newline="") as handle:
        return next(row for row in csv.DictReader(handle) if row["customer_id"] == customer_id)


def raw_forms(row: dict[str, str]) -> set[str]:
    """Every form of a person's identifiers that must never be stored: as given, canonical, per platform."""
    forms = {row[c].strip() for c in ("email", "phone", "device_id") if row[c].strip()}
    for kind, column in (("email", "email"), ("phone", "phone"), ("maid", "device_id")):
        if row[column]:
            forms |= {v.value for p in PLATFORMS if (v := platform_value(kind, p, row[column], row["country"])).ok}
    for canonical in (canonical_email(row["email"]), canonical_phone(row["phone"], row["country"]),
                      canonical_maid(row["device_id"])):
        if canonical.ok:
            forms.add(canonical.value)
    return {f for f in forms if len(f) >= 6}


def stored_text(ws: Workspace) -> list[tuple[str, str, str]]:
    """(table, column, value) for every text value of every table of the workspace database."""
    found = []
    with ws.connect() as con:
        columns = con.execute("SELECT table_name, column_name FROM information_schema.columns "
                              "WHERE table_schema = 'main' AND data_type IN ('VARCHAR', 'JSON', 'VARCHAR[]', 'BLOB')"
                              ).fetchall()
        for table, column in columns:
            for (value,) in con.execute(f'SELECT DISTINCT CAST("{column}" AS VARCHAR) FROM "{table}" '
                                        f'WHERE "{column}" IS NOT NULL').fetchall():
                found.append((table, column, value))
    return found


def in_file(ws: Workspace, forms: set[str]) -> set[str]:
    """The forms whose bytes are anywhere in the workspace database's files, deleted rows' free blocks included."""
    data = b"".join(p.read_bytes() for p in ws.root.glob(f"{ws.db.name}*") if p.is_file())
    return {f for f in forms if f.encode() in data}


def customer_with_device(ws: Workspace, platform: str = "meta") -> str:
    with ws.connect() as con:
        return con.execute("SELECT m.customer_id FROM membership m JOIN sent_unhashed u USING (platform, sha256) "
                           "WHERE m.platform = ? AND m.identifier = 'device_id' ORDER BY m.customer_id LIMIT 1",
                           [platform]).fetchone()[0]


def test_verify_prints_every_check_and_exits_1_on_a_failure(ws: Workspace, demo: History, tmp_path: Path) -> None:
    html = tmp_path / "audit.html"
    code, output = cli(ws, "audit", "verify", "--html", str(html))
    assert code == 0, output
    assert "all checks passed" in output and output.count(" pass ") == len(CHECKS)
    with ws.connect() as con:
        (head,) = con.execute("SELECT row_hash FROM consent_event ORDER BY seq DESC LIMIT 1").fetchone()
    assert head in html.read_text() and head in output
    (ws.out / demo.runs[1] / "meta" / "all" / "remove" / "customers.csv").write_text("email,phone,madid\n")
    code, output = cli(ws, "audit", "verify", "--run", demo.runs[1])
    assert code == 1 and "FAIL" in output and "manifest-checksums" in output


def test_trace_by_email_lists_runs_files_consent_and_removals_without_the_email(ws: Workspace, demo: History) -> None:
    row = person(ws, demo.late)
    code, output = cli(ws, "audit", "trace", "--email", row["email"])
    assert code == 0, output
    assert f"Customer id(s): {demo.late}" in output
    first, second, _ = demo.runs
    assert f"{first} meta/all full" in output and f"{first}/meta/all/full/customers.csv" in output
    assert f"{second} meta/all remove" in output and f"{second}/meta/all/remove/customers.csv" in output
    assert f"consent EV-{demo.late}-" in output
    assert "Removals sent by runs: 0" not in output
    with ws.connect() as con:
        rules, path, digest = con.execute("SELECT r.rules_version, i.path, i.sha256 FROM run r JOIN run_input i "
                                          "USING (run_id) WHERE run_id = ? AND input = 'customers'", [first]).fetchone()
    assert f"Run {first}: as of " in output and f"rules {rules}" in output
    assert f"customers {path} ({digest[:12]}…)" in output
    email_hash = sha256_hex(canonical_email(row["email"]).value)
    assert email_hash[:12] in output and email_hash not in output
    for form in raw_forms(row):
        assert form not in output


def test_trace_by_phone_and_customer_id_find_the_same_person(ws: Workspace, demo: History) -> None:
    row = person(ws, demo.late)
    by_id = cli(ws, "audit", "trace", "--customer-id", demo.late)[1]
    by_phone = cli(ws, "audit", "trace", "--phone", row["phone"])[1] if row["phone"] else by_id
    assert by_id.splitlines()[0] == by_phone.splitlines()[0] == f"Customer id(s): {demo.late}"
    code, output = cli(ws, "audit", "trace", "--email", "x@y")
    assert code == 1 and "not a usable email address" in output and "x@y" not in output
    assert cli(ws, "audit", "trace")[0] == 1


def test_trace_by_customer_id_shows_the_suppression_by_email_that_removed_them(ws: Workspace, demo: History) -> None:
    code, output = cli(ws, "audit", "trace", "--customer-id", demo.erased)
    assert code == 0, output
    assert f"{demo.runs[1]} meta/all remove" in output
    assert "Suppressions naming them: 1" in output and "erasure" in output and "(by email)" in output
    for form in raw_forms(person(ws, demo.erased)):
        assert form not in output


def test_forget_refuses_a_customer_id_the_workspace_does_not_know(ws: Workspace, demo: History) -> None:
    with ws.connect() as con:
        before = con.execute("SELECT count(*) FROM suppression").fetchone()[0]
    code, output = cli(ws, "forget", "--customer-id", "C99999999")
    assert code == 1 and "knows no customer with this id" in output and "Traceback" not in output
    with ws.connect() as con:
        assert con.execute("SELECT count(*) FROM suppression").fetchone()[0] == before
        assert con.execute("SELECT count(*) FROM erasure").fetchone()[0] == 0
    code, output = cli(ws, "forget", "--customer-id", demo.late)
    assert code == 0 and demo.late in output


def forget_and_run_again(ws: Workspace, demo: History, customer: str) -> tuple[str, set, set, set]:
    """`forget` a customer by email, then one more run: (its run id, the values the platforms held for the customer,
    those the run removed, those the erasure removed)."""
    code, output = cli(ws, "forget", "--email", person(ws, customer)["email"])
    assert code == 0, output
    with ws.connect() as con:
        held = set(con.execute("SELECT platform, audience, id_type, sha256 FROM membership WHERE customer_id = ? "
                               "AND run_id = ?", [customer, demo.runs[2]]).fetchall())
        fourth = run(con, ws, datetime.now(UTC) + timedelta(minutes=1), customers=ws.inputs / "customers.csv")
        assert con.execute("SELECT count(*) FROM membership WHERE run_id = ? AND customer_id = ?",
                           [fourth, customer]).fetchone()[0] == 0
        removed = set(con.execute("SELECT platform, audience, id_type, sha256 FROM exported_value WHERE run_id = ? "
                                  "AND op = 'remove' AND customer_id = ?", [fourth, customer]).fetchall())
        erased = set(con.execute("SELECT platform, audience, id_type, sha256 FROM erasure_value").fetchall())
    return fourth, held, removed, erased


def test_forget_leaves_no_raw_identifier_of_the_person_in_the_workspace(ws: Workspace) -> None:
    customer = customer_with_device(ws)
    row = person(ws, customer)
    forms = raw_forms(row)
    assert {v for _, _, v in stored_text(ws)} & forms and in_file(ws, forms)
    code, output = cli(ws, "forget", "--email", row["email"])
    assert code == 0, output
    assert customer in output and "Upload now" in output
    assert [(t, c) for t, c, v in stored_text(ws) if any(f in v for f in forms)] == []
    assert in_file(ws, forms) == set()
    with ws.connect() as con:
        (erasure_dir, removals) = con.execute("SELECT out_dir, removals FROM erasure").fetchone()
        kept = con.execute("SELECT count(*) FROM membership WHERE customer_id = ?", [customer]).fetchone()[0]
    manifest = json.loads((Path(erasure_dir) / "manifest.json").read_text())
    assert {f["op"] for f in manifest["files"]} == {"remove"} and removals >= 2 and kept > 0
    code, output = cli(ws, "audit", "verify")
    assert code == 0, output


def test_an_erasure_recorded_before_erasure_batch_existed_is_found_by_its_import_moment(ws: Workspace,
                                                                                       demo: History) -> None:
    code, output = cli(ws, "forget", "--customer-id", demo.late)
    assert code == 0, output
    with ws.connect() as con:
        recorded = con.execute("SELECT erasure_id, batch_id FROM erasure_batch").fetchall()
        con.execute("DELETE FROM erasure_batch")
    with ws.connect() as con:
        assert con.execute("SELECT erasure_id, batch_id FROM erasure_batch").fetchall() == recorded
        (kind,) = con.execute("SELECT DISTINCT kind FROM suppression WHERE batch_id = ?", [recorded[0][1]]).fetchone()
    assert len(recorded) == 1 and kind == "erasure"


def test_consent_status_says_a_forgotten_customer_is_excluded_from_runs_whatever_the_as_of(ws: Workspace,
                                                                                            demo: History) -> None:
    assert "Erased by" not in cli(ws, "consent", "status", demo.late)[1]
    assert cli(ws, "forget", "--customer-id", demo.late)[0] == 0
    code, output = cli(ws, "consent", "status", demo.late, "--as-of", "2026-01-01T00:00:00+00:00")
    assert code == 0, output
    assert "but an erasure by `audience forget`: counts for runs]" in output
    assert "Erased by `audience forget`: no run exports this customer, whatever its as-of time." in output


def test_after_forget_the_next_run_removes_the_person_everywhere(ws: Workspace, demo: History) -> None:
    with ws.connect() as con:
        customer = con.execute(
            "SELECT customer_id FROM membership WHERE run_id = ? AND identifier = 'email' AND customer_id NOT IN "
            "(SELECT customer_id FROM membership WHERE identifier = 'device_id') ORDER BY customer_id LIMIT 1",
            [demo.runs[2]]).fetchone()[0]
    fourth, held, removed, erased = forget_and_run_again(ws, demo, customer)
    assert held and held == removed and erased == set()
    code, output = cli(ws, "audit", "trace", "--customer-id", customer)
    assert f"{fourth} meta/all remove" in output and "erasure" in output and "(by customer_id)" in output
    code, output = cli(ws, "audit", "verify")
    assert code == 0, output


def test_after_forget_the_next_run_removes_everything_the_erasure_did_not(ws: Workspace, demo: History) -> None:
    fourth, held, removed, erased = forget_and_run_again(ws, demo, customer_with_device(ws))
    assert erased and held == removed | erased and not removed & erased
    code, output = cli(ws, "audit", "verify")
    assert code == 0, output


def test_purge_deletes_old_run_directories_and_the_audit_still_passes(ws: Workspace, demo: History) -> None:
    code, output = cli(ws, "purge", "--older-than", "0", "--dry-run")
    assert code == 0 and "Would delete 3 export directories" in output and (ws.out / demo.runs[0]).is_dir()
    code, output = cli(ws, "purge", "--older-than", "0")
    assert code == 0 and "Deleted 3 export directories" in output
    assert not any(ws.out.iterdir())
    code, output = cli(ws, "audit", "verify")
    assert code == 0, output
    code, output = cli(ws, "audit", "trace", "--customer-id", demo.late)
    assert "(purged)" in output
    assert cli(ws, "purge", "--older-than", "-1")[0] != 0


@pytest.mark.parametrize("command", [["purge", "--older-than", "9999"], ["forget", "--customer-id", "C00000001"]])
def test_a_command_holding_the_workspace_lock_cleans_up_after_a_run_that_died(ws: Workspace,
                                                                              command: list[str]) -> None:
    now = datetime.now(UTC)
    dead = stages.new_run_id(now)
    partition = ws.root / "elsewhere" / dead
    with ws.connect() as con:
        store.open_run(con, store.RunRecord(dead, now, now, "test", "rules", "{}", "0" * 64, ws.out / dead,
                                            str(partition)))
    (ws.out / dead).mkdir(parents=True)
    (ws.out / dead / "customers.csv").write_text("half written\n")
    partition.mkdir(parents=True)
    (partition / "customers-0000.parquet").write_bytes(b"raw identifiers")
    code, output = cli(ws, "purge", "--older-than", "9999", "--dry-run")
    assert code == 0 and "died" not in output and partition.exists()
    code, output = cli(ws, *command)
    assert code == 0, output
    assert f"Run {dead} died before it finished: it is marked abandoned" in output
    assert not partition.exists() and not partition.parent.exists() and not (ws.out / dead).exists()
    with ws.connect() as con:
        assert con.execute("SELECT status FROM run WHERE run_id = ?", [dead]).fetchone() == ("abandoned",)


def test_purge_says_when_a_directory_was_already_gone(ws: Workspace, demo: History) -> None:
    shutil.rmtree(ws.out / demo.runs[0])
    code, output = cli(ws, "purge", "--older-than", "0")
    assert code == 0 and f"{demo.runs[0]} (0 files, 0 bytes; already gone: deleted earlier without a purge record)" \
        in output, output


def test_trace_tells_a_file_deleted_without_a_purge_record_from_a_purged_one(ws: Workspace, demo: History) -> None:
    first = demo.runs[0]
    (ws.out / first / "meta" / "all" / "full" / "customers.csv").unlink()
    code, output = cli(ws, "audit", "trace", "--customer-id", demo.late)
    assert code == 0, output
    assert f"{first}/meta/all/full/customers.csv (MISSING: no purge recorded)" in output
    assert "(purged)" not in output


def test_every_report_and_audit_command_takes_the_workspace_flags(ws: Workspace, tmp_path: Path) -> None:
    config = tmp_path / "audience.toml"
    config.write_text(f'db = "{ws.db}"\nout = "{ws.out}"\n')
    for args in (["report"], ["audit", "verify"], ["audit", "trace", "--customer-id", "C1"], ["purge", "--older-than",
                 "9999"], ["match", "against", str(config), "--platform", "meta"]):
        result = CliRunner().invoke(app, [*args, "--config", str(config)])
        assert result.exit_code == 0, (args, result.output)
    for command in (["report"], ["match", "import"], ["match", "against"], ["audit", "verify"], ["audit", "trace"],
                    ["forget"], ["purge"]):
        help_text = CliRunner().invoke(app, [*command, "--help"]).output
        assert all(flag in help_text for flag in ("--config", "--db", "--out")), command


@pytest.mark.flow
def test_runs_of_the_prefect_flow_pass_every_check_and_report(prefect_api: str, workspace, tmp_path: Path) -> None:
    from workspaces import AS_OF_TEXT

    for as_of in (AS_OF_TEXT, "2026-11-02T00:00:00+00:00"):
        result = CliRunner().invoke(app, ["run", "--config", str(workspace.config), "--as-of", as_of])
        assert result.exit_code == 0, result.output
    html = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["report", "--config", str(workspace.config), "--html", str(html)])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(app, ["audit", "verify", "--config", str(workspace.config)])
    assert result.exit_code == 0, result.output
    from audience import store

    with store.opened(workspace.db) as con:
        recorded = con.execute("SELECT count(DISTINCT run_id) FROM funnel WHERE with_identifier > 0").fetchone()
    assert recorded == (2,)
    assert "with identifier" in html.read_text()


@pytest.mark.parametrize("command", [["audit", "verify"], ["audit", "trace", "--customer-id", "C1"], ["report"],
                                     ["purge", "--older-than", "1"], ["forget", "--customer-id", "C1"]])
def test_a_command_on_a_workspace_refuses_a_database_path_that_holds_none(tmp_path: Path, command: list[str]) -> None:
    typo = tmp_path / "typo.duckdb"
    result = CliRunner().invoke(app, [*command, "--db", str(typo), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and f"There is no workspace database at {typo}" in result.output, result.output
    assert list(tmp_path.iterdir()) == []


def test_consent_status_matches_suppressions_by_email_with_the_keys_the_last_run_recorded(ws: Workspace,
                                                                                          demo: History) -> None:
    result = CliRunner().invoke(app, ["consent", "status", demo.erased, "--db", str(ws.db)])
    assert result.exit_code == 0, result.output
    assert "suppression: erasure * matched by email" in result.output
    assert result.output.count("not eligible  suppressed (erasure") == 3


@pytest.mark.parametrize("command", [["audit", "verify"], ["report"], ["match", "import", "x.csv"],
                                     ["forget", "--customer-id", "C1"]])
def test_a_command_on_a_workspace_leaves_a_file_that_is_no_workspace_as_it_was(tmp_path: Path,
                                                                               command: list[str]) -> None:
    other = tmp_path / "sales.duckdb"
    with duckdb.connect(str(other)) as con:
        con.execute("CREATE TABLE sales (x INTEGER)")
    text = tmp_path / "customers.csv"
    text.write_text("customer_id\nC1\n")
    for path in (other, text):
        before = (path.read_bytes(), path.stat().st_mode)
        result = CliRunner().invoke(app, [*command, "--db", str(path), "--out", str(tmp_path / "out")])
        assert result.exit_code == 1 and f"{path} is not a workspace database" in result.output, result.output
        assert (path.read_bytes(), path.stat().st_mode) == before
