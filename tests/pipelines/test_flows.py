"""Flow wiring that needs no Prefect backend: which failures are retried."""

import duckdb
import pytest
from prefect.states import Failed

from audience.errors import InputError, TransientError
from pipelines.flows import is_transient


@pytest.mark.parametrize(
    ("error", "retried"),
    [(TransientError("database busy"), True), (InputError("bad file"), False), (duckdb.Error("sql"), False),
     (OSError("disk"), False)],
    ids=["transient", "input", "duckdb", "os"],
)
def test_only_transient_errors_are_retried(error: Exception, retried: bool) -> None:
    assert is_transient(None, None, Failed(data=error)) is retried
