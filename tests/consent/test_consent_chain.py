"""The hash chain: written by one fold, recomputable outside DuckDB, and any direct change shows in `verify`."""

import json
import re
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from pathlib import Path

import pytest

from consent import chain
from consent.importer import import_file
from consent.integrity import verify
from consent.ledger import head
from consent.records import ConsentEvent, Suppression
from consent_ledgers import IMPORTED_AT, append_events, append_suppressions, fresh, write_csv

T = datetime(2026, 1, 1, tzinfo=UTC)
EVENTS = [
    ConsentEvent("E1", "C1", "*", "grant", T, T),
    ConsentEvent('E"2\\', "Zażółć 😀", "meta", "withdraw", T + timedelta(hours=1), T, ("email",)),
    ConsentEvent("E3", "C\x01", "google", "grant", T, T + timedelta(microseconds=7), ("email", "phone")),
]
SUPPRESSIONS = [Suppression("erasure", T, T, customer_id="C1"), Suppression("minor", T, T, email_hmac="ab" * 32)]


def epoch_us(moment: datetime) -> int:
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def duckdb_json(values: list[object]) -> str:
    """JSON as DuckDB's json_array writes it: compact, UTF-8, control characters as uppercase \\u00XX."""
    text = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
    return re.sub(r"(?<!\\)((?:\\\\)*)\\u00([0-9a-f]{2})", lambda m: f"{m[1]}\\u00{m[2].upper()}", text)


def contents() -> list[str]:
    """Every row's canonical content, written from the records in plain Python (what an auditor would do)."""
    rows = [duckdb_json(["consent_event", seq, 1, seq, e.event_id, e.customer_id, e.platform, e.action,
                         epoch_us(e.effective_at), epoch_us(e.recorded_at), list(e.identifiers), None, None, None,
                         epoch_us(IMPORTED_AT)]) for seq, e in enumerate(EVENTS, start=1)]
    rows += [duckdb_json(["suppression", seq, 1, seq - len(EVENTS), s.customer_id, s.email_hmac, s.phone_hmac, s.kind,
                          epoch_us(s.effective_at), epoch_us(s.recorded_at), epoch_us(IMPORTED_AT)])
             for seq, s in enumerate(SUPPRESSIONS, start=len(EVENTS) + 1)]
    return rows


def test_the_chain_recomputes_from_the_rows_in_plain_python() -> None:
    con = fresh()
    append_events(con, EVENTS)
    append_suppressions(con, SUPPRESSIONS)
    stored = con.execute("SELECT seq, prev_hash, row_hash FROM consent_event UNION ALL "
                         "SELECT seq, prev_hash, row_hash FROM suppression ORDER BY seq").fetchall()
    previous = chain.GENESIS
    for (seq, prev_hash, row_hash), content in zip(stored, contents(), strict=True):
        assert prev_hash == previous, seq
        assert row_hash == sha256((previous + content).encode()).hexdigest(), seq
        previous = row_hash
    assert head(con) == (len(stored), previous)
    assert verify(con).intact and verify(con).rows == len(stored)


def test_link_continues_a_chain_in_pieces() -> None:
    texts = [t.encode() for t in ("a", "b", "ż", "d")]
    whole_prev, whole = chain.link(chain.GENESIS, texts)
    first_prev, first = chain.link(chain.GENESIS, texts[:2])
    second_prev, second = chain.link(first[-1].as_py(), texts[2:])
    assert whole.to_pylist() == first.to_pylist() + second.to_pylist()
    assert whole_prev.to_pylist() == first_prev.to_pylist() + second_prev.to_pylist()
    assert whole[0].as_py() == chain.row_hash(chain.GENESIS, "a")


def test_an_empty_ledger_is_intact_and_its_head_is_the_genesis() -> None:
    con = fresh()
    assert head(con) == (0, chain.GENESIS)
    assert verify(con).intact


@pytest.mark.parametrize(("statement", "seq", "what"), [
    ("UPDATE consent_event SET customer_id = 'C9' WHERE seq = 2", 2, "consent_event row does not match its row_hash"),
    ("UPDATE consent_event SET row_hash = repeat('0', 64) WHERE seq = 1", 1, "does not match its row_hash"),
    ("UPDATE consent_event SET seq = 9 WHERE seq = 3", 3, "the row is missing"),
    ("DELETE FROM consent_event WHERE seq = 1", 1, "the row is missing"),
    ("INSERT INTO consent_event SELECT * FROM consent_event WHERE seq = 2", 2, "appears more than once"),
    ("UPDATE suppression SET email_hmac = NULL WHERE seq = 5", 5, "suppression row does not match its row_hash"),
    ("DELETE FROM suppression WHERE seq = 5", 5, "the row is missing (import batch 1 ended there"),
])
def test_verify_names_the_first_broken_seq(statement: str, seq: int, what: str) -> None:
    con = fresh()
    append_events(con, EVENTS)
    append_suppressions(con, SUPPRESSIONS)
    con.execute("INSERT INTO import_batch VALUES (1, 'events', 'f', 'x', 1, 5, 5, 0, 0, 1, 5, $head, now())",
                {"head": head(con)[1]})
    con.execute(statement)
    broken = verify(con).broken
    assert broken is not None and broken.seq == seq and what in broken.what


def test_a_row_with_extra_columns_recomputes_with_them_as_a_json_object_at_the_end(tmp_path: Path) -> None:
    con = fresh()
    path = write_csv(tmp_path / "e.csv", ("event_id", "customer_id", "platform", "action", "effective_at", "zeta",
                                          "Alpha"), [("E1", "C1", "*", "grant", "2026-01-01T00:00:00Z", "ż \"q\"", "1")])
    import_file(con, path, now=IMPORTED_AT)
    (row_hash,) = con.execute("SELECT row_hash FROM consent_event").fetchall()[0]
    content = duckdb_json(["consent_event", 1, 1, 1, "E1", "C1", "*", "grant", epoch_us(T), epoch_us(IMPORTED_AT),
                           ["device_id", "email", "phone"], None, None, None, epoch_us(IMPORTED_AT),
                           {"Alpha": "1", "zeta": "ż \"q\""}])
    assert row_hash == sha256((chain.GENESIS + content).encode()).hexdigest()
