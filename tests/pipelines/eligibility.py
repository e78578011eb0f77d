"""A plain-Python reading of pipeline.md ("Who may be exported") and identifiers.md, row by row, to check what a
run exported from its files alone. Deliberately naive: no SQL, no Arrow, one record at a time."""

import csv
import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from audience.identifiers.reference import canonical_email, canonical_phone, platform_value

PLATFORMS = ("google", "meta", "tiktok")
KINDS = {"email": "email", "phone": "phone", "device_id": "maid"}
SENT_UNHASHED = {("google", "device_id"), ("meta", "device_id")}
"""identifiers.md: Google and Meta receive advertising IDs as they are; everything else is a SHA-256 hex."""
ALL_IDENTIFIERS = frozenset(KINDS)


def rows(path: Path) -> list[dict[str, str | None]]:
    with path.open(encoding="utf-8", newline="") as f:
        return [{k: (v if v != "" else None) for k, v in row.items()} for row in csv.DictReader(f)]


def _time(text: str | None, default: datetime) -> datetime:
    return default if text is None else datetime.fromisoformat(text)


def eligible(
    customers: Path, events: Sequence[Path], suppressions: Sequence[Path], as_of: datetime, *,
    imported_at: datetime, max_age_days: int = 730,
) -> dict[str, dict[str, frozenset[str]]]:
    """platform → customer_id → identifier kinds its deciding grant covers, for the customers file's customers."""
    people = rows(customers)
    emails = {p["customer_id"]: canonical_email(p["email"]).value for p in people if p["email"] is not None}
    phones = {p["customer_id"]: canonical_phone(p["phone"], p["country"]).value for p in people
              if p["phone"] is not None}
    suppressed: set[str] = set()
    for path in suppressions:
        for s in rows(path):
            if _time(s["effective_at"], imported_at) > as_of or _time(s["recorded_at"], imported_at) > as_of:
                continue
            email = canonical_email(s["email"]).value if s["email"] else None
            phone = canonical_phone(s["phone"]).value if s["phone"] else None
            suppressed |= {c for c in (s["customer_id"],) if c}
            suppressed |= {c for c, e in emails.items() if email and e == email}
            suppressed |= {c for c, p in phones.items() if phone and p == phone}
    history: dict[tuple[str, str], list[tuple[datetime, datetime, int, dict]]] = {}
    order = 0
    for path in events:
        for e in rows(path):
            order += 1
            effective, recorded = _time(e["effective_at"], imported_at), _time(e["recorded_at"], imported_at)
            if effective > as_of or recorded > as_of:
                continue
            for platform in PLATFORMS if e["platform"] == "*" else (e["platform"],):
                history.setdefault((platform, e["customer_id"]), []).append((effective, recorded, order, e))
    known = {p["customer_id"] for p in people}
    result: dict[str, dict[str, frozenset[str]]] = {p: {} for p in PLATFORMS}
    for (platform, customer), found in history.items():
        if customer not in known or customer in suppressed:
            continue
        effective, _, _, deciding = max(found, key=lambda item: item[:3])
        if deciding["action"] != "grant" or effective < as_of - timedelta(days=max_age_days):
            continue
        covered = frozenset(deciding["identifiers"].split("|")) if deciding["identifiers"] else ALL_IDENTIFIERS
        result[platform][customer] = covered
    return result


def expected_values(customers: Path, allowed: dict[str, dict[str, frozenset[str]]],
                    default_region: str = "PL") -> dict[str, dict[str, set[str]]]:
    """platform → customer_id → the values the platform must receive for that customer."""
    result: dict[str, dict[str, set[str]]] = {p: {} for p in PLATFORMS}
    for person in rows(customers):
        for platform in PLATFORMS:
            covered = allowed[platform].get(person["customer_id"])
            if covered is None:
                continue
            for column, kind in KINDS.items():
                raw = person[column]
                if column not in covered or raw is None:
                    continue
                outcome = platform_value(kind, platform, raw, person["country"])
                if not outcome.ok:
                    continue
                text = outcome.value
                value = text if (platform, column) in SENT_UNHASHED else hashlib.sha256(text.encode()).hexdigest()
                result[platform].setdefault(person["customer_id"], set()).add(value)
    return result
