"""The consent package is a plain library: importing it loads neither Prefect nor Typer (checked in a fresh
interpreter, since the test session has imported them already)."""

import subprocess
import sys


def test_consent_imports_no_orchestration_or_cli() -> None:
    code = ("import sys, consent.evaluate, consent.importer, consent.integrity, consent.keys, consent.late, "
            "consent.reference, consent.status; "
            "print(sorted({'prefect', 'typer'} & {m.split('.')[0] for m in sys.modules}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
