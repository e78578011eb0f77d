"""The golden vectors of the identifier contract, through the reference, the column path and `audience hash`."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

from audience.hashing import sha256_hex
from audience.identifiers.columns import platform_column
from audience.identifiers.reference import platform_value
from audience.identifiers.rules import RuleSet

CASES = Path(__file__).parent.parent / "cases" / "identifiers"
VECTORS = [json.loads(line) for line in (CASES / "golden.jsonl").read_text().splitlines()]


def _id(vector: dict) -> str:
    return f"{vector['id']}-{vector['platform']}"


@pytest.mark.parametrize("vector", VECTORS, ids=_id)
def test_reference_matches_golden(vector: dict) -> None:
    outcome = platform_value(vector["kind"], vector["platform"], vector["raw"], vector["region"])
    if vector["normalized"] == "REJECT":
        assert not outcome.ok and outcome.reason
    else:
        assert outcome.value == vector["normalized"]
        assert sha256_hex(outcome.value) == vector["sha256"]


@pytest.mark.parametrize("kind", ["email", "phone", "maid"])
@pytest.mark.parametrize("platform", ["google", "meta", "tiktok"])
def test_column_path_matches_golden(kind: str, platform: str) -> None:
    vectors = [v for v in VECTORS if v["kind"] == kind and v["platform"] == platform]
    for region in sorted({v["region"] for v in vectors}):
        batch = [v for v in vectors if v["region"] == region]
        result = platform_column(kind, platform, pa.array([v["raw"] for v in batch]), RuleSet(), region=region)
        for vector, normalized, sha in zip(batch, result.column("normalized").to_pylist(),
                                           result.column("sha256").to_pylist()):
            expected = None if vector["normalized"] == "REJECT" else vector["normalized"]
            assert normalized == expected, vector["id"]
            assert sha == (vector["sha256"] if expected else None), vector["id"]


def _hash_command(kind: str, platform: str, region: str, stdin: str, env: dict[str, str] | None = None) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-m", "pipelines", "hash", "--platform", platform, "--kind", kind, "--region", region],
        input=stdin.encode(), capture_output=True, check=True, env=env,
    )
    return done.stdout.decode().split("\n")


@pytest.mark.parametrize("platform", ["google", "meta", "tiktok"])
@pytest.mark.parametrize("kind", ["email", "phone", "maid"])
def test_hash_command_matches_golden_byte_for_byte(kind: str, platform: str) -> None:
    vectors = [v for v in VECTORS if v["kind"] == kind and v["platform"] == platform]
    for region in sorted({v["region"] for v in vectors}):
        batch = [v for v in vectors if v["region"] == region]
        lines = _hash_command(kind, platform, region, "".join(v["raw"].removesuffix("\n") + "\n" for v in batch))
        assert lines[0] == "status\tnormalized\tsha256\treason"
        assert lines[-1] == ""
        assert len(lines) == len(batch) + 2
        for vector, line in zip(batch, lines[1:-1]):
            fields = line.split("\t")
            if vector["normalized"] == "REJECT":
                assert fields[:3] == ["reject", "", ""] and fields[3]
                assert vector["raw"].strip() not in fields[3]
            else:
                assert fields == ["ok", vector["normalized"], vector["sha256"], ""]


def test_hash_command_writes_utf8_whatever_the_locale() -> None:
    vectors = [v for v in VECTORS if v["kind"] == "email" and v["platform"] == "tiktok" and not v["raw"].isascii()]
    assert vectors
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "PYTHONUTF8": "0", "LC_ALL": "C"}
    lines = _hash_command("email", "tiktok", "PL", "".join(v["raw"] + "\n" for v in vectors), env)
    assert lines[1:] == [f"ok\t{v['normalized']}\t{v['sha256']}\t" for v in vectors] + [""]


@pytest.mark.parametrize("region", ["XX", "gb"])
def test_hash_command_refuses_a_region_phonenumbers_does_not_know(region: str) -> None:
    done = subprocess.run([sys.executable, "-m", "pipelines", "hash", "--platform", "google", "--kind", "phone",
                           "--region", region], input=b"020 7946 0018\n", capture_output=True)
    assert done.returncode == 2 and done.stdout == b""
    assert f"'{region}' is not a region phonenumbers knows" in done.stderr.decode()
