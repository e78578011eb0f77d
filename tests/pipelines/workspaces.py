"""Workspaces for runs through the CLI: a directory, its audience.toml and the generated inputs it points at."""

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from data.generator import AS_OF, SampleInputs
from pipelines.config import CONFIG_FILE, Inputs, Settings, documented_toml

SAMPLE_CUSTOMERS = 3_000
AUDIENCES = {"loyal": "orders_12m >= 5"}
AS_OF_TEXT = AS_OF.isoformat()
REPOSITORY = Path(__file__).parents[2]


@dataclass(frozen=True, slots=True)
class Workspace:
    """A workspace directory with its audience.toml."""

    root: Path
    inputs: SampleInputs

    @property
    def config(self) -> Path:
        return self.root / CONFIG_FILE

    @property
    def db(self) -> Path:
        return self.root / "workspace.duckdb"

    @property
    def out(self) -> Path:
        return self.root / "out"

    def run_dirs(self) -> list[Path]:
        return sorted(p for p in self.out.iterdir() if p.is_dir()) if self.out.exists() else []

    def command(self, *args: str) -> list[str]:
        """`audience run` for this workspace, as a subprocess command line."""
        return [sys.executable, "-m", "pipelines", "run", "--config", str(self.config), *args]


def subprocess_env(api_url: str) -> dict[str, str]:
    """Environment for a CLI subprocess that records its runs on the session's Prefect backend."""
    return {**os.environ, "PREFECT_API_URL": api_url, "PYTHONPATH": str(REPOSITORY)}


def make_workspace(root: Path, inputs: SampleInputs, **settings: object) -> Workspace:
    """A workspace at `root` reading `inputs`, with the `loyal` audience and any other settings given."""
    root.mkdir(parents=True, exist_ok=True)
    config = Settings.model_validate({
        "inputs": Inputs(customers=inputs.customers, consent=inputs.consent, suppressions=inputs.suppressions),
        "audiences": AUDIENCES,
        **settings,
    })
    (root / CONFIG_FILE).write_text(documented_toml(config), encoding="utf-8")
    return Workspace(root, inputs)
