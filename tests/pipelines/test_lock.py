import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.lock import WorkspaceBusy, lock_path, workspace_lock

HOLD = """
import sys, time
from pathlib import Path
from pipelines.lock import workspace_lock
with workspace_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(60)
"""


@pytest.fixture
def holder(tmp_path: Path):
    db = tmp_path / "workspace.duckdb"
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(db)], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    yield db, process
    process.kill()
    process.wait()


def test_a_second_process_is_refused_at_once_naming_the_holder(holder) -> None:
    db, process = holder
    with pytest.raises(WorkspaceBusy) as raised, workspace_lock(db):
        pass
    assert f"pid {process.pid}, started 20" in str(raised.value)
    assert "wait for it" in str(raised.value)


def test_the_lock_is_released_when_the_holder_dies(holder) -> None:
    db, process = holder
    process.kill()
    process.wait()
    with workspace_lock(db):
        assert lock_path(db).exists()


def test_the_lock_is_reentrant_within_a_process(tmp_path: Path) -> None:
    db = tmp_path / "workspace.duckdb"
    with workspace_lock(db), workspace_lock(db):
        pass
    with workspace_lock(db):
        pass


def test_audience_run_is_refused_before_it_waits_for_prefect(holder, tmp_path: Path) -> None:
    db, process = holder
    customers = tmp_path / "customers.csv"
    customers.write_text("customer_id,email\nC1,jan@example.pl\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "0.001"  # a run that waited for Prefect would fail so
    done = subprocess.run([sys.executable, "-m", "pipelines", "run", "--customers", str(customers), "--db", str(db),
                           "--out", str(tmp_path / "out")], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and f"another run (pid {process.pid}" in done.stderr, done.stderr
