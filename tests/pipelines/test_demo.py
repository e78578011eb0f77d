"""`audience demo`: a generated workspace, run once, with directions to everything it made."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from audience.export import verify_manifest
from pipelines.cli import app

pytestmark = pytest.mark.flow


def test_demo_generates_runs_and_shows_where_everything_is(prefect_api: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", str(tmp_path / "demo"), "--customers", "600"])
    assert result.exit_code == 0, result.output
    (run_dir,) = [p for p in (tmp_path / "demo" / "out").iterdir() if p.is_dir()]
    assert verify_manifest(run_dir) == []
    for shown in (str(run_dir), "manifest.json", "workspace.duckdb", "report.html", "prefect server start",
                  "audience run --config"):
        assert shown in result.output, shown
    assert (tmp_path / "demo" / "report.html").stat().st_size > 0
    assert (tmp_path / "demo" / "audience.toml").is_file()
