"""Reading a run's export files back, from the manifest and the files alone (no workspace database)."""

import csv
import hashlib
import json
from collections import defaultdict
from pathlib import Path

Target = tuple[str, str, str]
"""platform, audience, op"""


def manifest(run_dir: Path) -> dict:
    return json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))


def exported(run_dir: Path) -> dict[Target, set[str]]:
    """(platform, audience, op) → every value its files send, after checking each file against the manifest and
    that a platform's request bodies and its upload files (CSV) carry the same values."""
    by_form: dict[tuple[Target, str], set[str]] = defaultdict(set)
    for entry in manifest(run_dir)["files"]:
        path = run_dir / entry["path"]
        data = path.read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["path"]
        target = (entry["platform"], entry["audience"], entry["op"])
        form, values = _values(path.name, data.decode("utf-8"))
        by_form[target, form] |= values
    result: dict[Target, set[str]] = {}
    for (target, form), values in by_form.items():
        if target in result:
            assert result[target] == values, f"{target}: {form} files disagree with the other files"
        result[target] = values
    return result


def _values(name: str, text: str) -> tuple[str, set[str]]:
    if name.endswith(".txt"):
        return "lines", set(text.splitlines())
    if name.endswith(".csv"):
        rows = list(csv.reader(text.splitlines()))
        return "csv", {cell for row in rows[1:] for cell in row if cell}
    document = json.loads(text)
    if "schema" in document:
        return "json", {cell for row in document["data"] for cell in row if cell}
    found = set()
    for member in document["audienceMembers"]:
        for identifier in member.get("userData", {}).get("userIdentifiers", []):
            found |= set(identifier.values())
        found |= set(member.get("mobileData", {}).get("mobileIds", []))
    return "json", found
