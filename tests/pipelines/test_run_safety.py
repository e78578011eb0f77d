"""A run killed mid-export, two runs at once, and nothing raw anywhere a run writes."""

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pytest
from typer.testing import CliRunner

from audience import store
from audience.export import verify_manifest
from audience.identifiers.reference import canonical_email, canonical_phone
from eligibility import rows
from pipelines.cli import app
from pipelines.lock import lock_path
from workspaces import AS_OF_TEXT, Workspace, make_workspace, subprocess_env

pytestmark = pytest.mark.flow
runner = CliRunner()
SLOW_EXPORT = {"google": {"batch_size": 20}, "meta": {"batch_size": 20}, "tiktok": {"max_file_bytes": 1300}}
"""Tiny files, so that exporting takes long enough to be interrupted."""
HEX = set("0123456789abcdef")
KEY = 6
"""Needles are found by their first KEY bytes, then checked whole."""


def files_of(run_dir: Path) -> dict[Path, bytes]:
    return {p.relative_to(run_dir): p.read_bytes() for p in run_dir.rglob("*") if p.is_file()
            and p.name != "manifest.json"}


def test_a_run_killed_while_exporting_leaves_no_manifest_and_the_rerun_matches(
    prefect_api: str, tmp_path: Path, sample
) -> None:
    workspace = make_workspace(tmp_path / "killed", sample, **SLOW_EXPORT)
    process = subprocess.Popen(workspace.command("--as-of", AS_OF_TEXT), env=subprocess_env(prefect_api),
                               start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    try:
        while not any(p.is_file() for d in workspace.run_dirs() for p in d.rglob("*")):
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            assert time.monotonic() < deadline, "the run never started exporting"
            time.sleep(0.005)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    (killed,) = workspace.run_dirs()
    assert not (killed / "manifest.json").exists()

    result = runner.invoke(app, ["run", "--config", str(workspace.config), "--as-of", AS_OF_TEXT])
    assert result.exit_code == 0, result.output
    (rerun,) = workspace.run_dirs()
    assert rerun != killed and not killed.exists()
    assert verify_manifest(rerun) == []
    undisturbed = make_workspace(tmp_path / "undisturbed", sample, **SLOW_EXPORT)
    assert runner.invoke(app, ["run", "--config", str(undisturbed.config), "--as-of", AS_OF_TEXT]).exit_code == 0
    (reference,) = undisturbed.run_dirs()
    assert files_of(rerun) == files_of(reference)
    with duckdb.connect(str(workspace.db), read_only=True) as con:
        statuses = dict(con.execute("SELECT run_id, status FROM run").fetchall())
    assert statuses == {killed.name: "abandoned", rerun.name: "succeeded"}


def test_two_runs_at_once_one_is_refused_and_nothing_is_corrupted(prefect_api: str, workspace: Workspace) -> None:
    env = subprocess_env(prefect_api)
    started = time.monotonic()
    processes = [subprocess.Popen(workspace.command("--as-of", AS_OF_TEXT), env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(2)]
    ended: dict[int, float] = {}
    while len(ended) < 2:
        assert time.monotonic() - started < 300, "the runs did not finish"
        ended |= {i: time.monotonic() - started for i, p in enumerate(processes) if i not in ended and p.poll() is not None}
        time.sleep(0.05)
    finished = [(p.returncode, "".join(p.communicate()), ended[i]) for i, p in enumerate(processes)]
    refused = [f for f in finished if f[0] == 1]
    succeeded = [f for f in finished if f[0] == 0]
    assert len(refused) == 1 and len(succeeded) == 1, finished
    assert "another run (pid " in refused[0][1] and "wait for it" in refused[0][1]
    assert refused[0][2] < succeeded[0][2]
    (run_dir,) = workspace.run_dirs()
    assert verify_manifest(run_dir) == []
    with duckdb.connect(str(workspace.db), read_only=True) as con:
        assert con.execute("SELECT status, count(*) FROM run GROUP BY ALL").fetchall() == [("succeeded", 1)]


def occurring(needles: set[str], data: bytes) -> set[str]:
    """The needles (each at least KEY bytes long) that occur in `data`: every KEY-byte window of `data` is looked up
    among the needles' first KEY bytes at once, and only those hits are compared in full."""
    if len(data) < KEY:
        return set()
    by_key: dict[int, list[bytes]] = {}
    for needle in needles:
        raw = needle.encode("utf-8")
        by_key.setdefault(int.from_bytes(raw[:KEY], "big"), []).append(raw)
    window = np.frombuffer(data, dtype=np.uint8).astype(np.uint64)
    keys = np.zeros(len(data) - KEY + 1, dtype=np.uint64)
    for offset in range(KEY):
        keys = (keys << np.uint64(8)) | window[offset:len(window) - KEY + 1 + offset]
    hits = np.flatnonzero(np.isin(keys, np.fromiter(by_key, dtype=np.uint64)))
    return {raw.decode() for i in hits for raw in by_key[int(keys[i])] if data.startswith(raw, int(i))}


def _needles(workspace: Workspace, *extra_inputs: Path) -> set[str]:
    """Every raw email and phone of the inputs as written and in canonical form, where it cannot occur inside a
    hex digest by chance (all-digit phone spellings are left out for that reason; their E.164 form is kept)."""
    found: set[str] = set()
    for person in rows(workspace.inputs.customers):
        for value in (person["email"], person["phone"]):
            if value and value.strip():
                found.add(value.strip())
        if person["email"] and canonical_email(person["email"]).ok:
            found.add(canonical_email(person["email"]).value)
        if person["phone"] and canonical_phone(person["phone"], person["country"]).ok:
            found.add(canonical_phone(person["phone"], person["country"]).value)
    for path in (workspace.inputs.suppressions, *extra_inputs):
        for record in rows(path):
            found |= {v.strip() for v in (record.get("email"), record.get("phone")) if v and v.strip()}
    return {n for n in found if not set(n) <= HEX and len(n) >= 6}


async def _prefect_texts() -> list[str]:
    """Everything the Prefect backend holds that a person could read: run parameters, logs and artifacts."""
    from prefect.client.orchestration import get_client

    async def every(read) -> list:
        found, offset = [], 0
        while page := await read(limit=200, offset=offset):
            found += page
            offset += len(page)
        return found

    async with get_client() as client:
        runs = await every(client.read_flow_runs)
        logs = await every(client.read_logs)
        artifacts = await every(client.read_artifacts)
    return ([repr(r.parameters) for r in runs] + [log.message for log in logs]
            + [repr(a.data) + repr(a.description) for a in artifacts])


def test_nothing_the_run_writes_holds_a_raw_email_or_phone(prefect_api: str, workspace: Workspace,
                                                           capfd: pytest.CaptureFixture[str]) -> None:
    first = runner.invoke(app, ["run", "--config", str(workspace.config), "--as-of", AS_OF_TEXT])
    second = runner.invoke(app, ["run", "--config", str(workspace.config)])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    needles = _needles(workspace)
    assert len(needles) > 1000
    captured = capfd.readouterr()
    texts = {"cli output": first.output + second.output, "captured logs": captured.out + captured.err,
             "prefect": "\n".join(asyncio.run(_prefect_texts()))}
    with duckdb.connect(str(workspace.db), read_only=True) as con:
        relations = [r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() UNION ALL SELECT view_name FROM duckdb_views() WHERE NOT internal"
        ).fetchall()]
        for name in relations:
            texts[f"table {name}"] = "\n".join(map(repr, con.sql(f'SELECT * FROM "{name}"').fetchall()))
    assert {"table membership", "table rejected_row", "table run", "table consent_event"} <= set(texts)
    for path in [p for p in workspace.root.rglob("*") if p.is_file() and p.suffix != ".toml"]:
        texts[str(path.relative_to(workspace.root))] = path.read_bytes().decode("utf-8", errors="replace")
    assert occurring(needles, workspace.inputs.customers.read_bytes()), "the scan finds what is there"
    assert lock_path(workspace.db).name in texts
    for where, text in texts.items():
        leaked = occurring(needles, text.encode("utf-8"))
        assert not leaked, f"{where} holds {len(leaked)} raw identifier(s)"


HOLD_DATABASE = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("held", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def test_a_database_held_by_another_process_is_retried(prefect_api: str, workspace: Workspace) -> None:
    store.connect(workspace.db).close()
    holder = subprocess.Popen([sys.executable, "-c", HOLD_DATABASE, str(workspace.db), "1.5"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        result = runner.invoke(app, ["run", "--config", str(workspace.config), "--as-of", AS_OF_TEXT])
    finally:
        holder.wait(timeout=30)
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started > 1.5
    (run_dir,) = workspace.run_dirs()
    assert verify_manifest(run_dir) == []
