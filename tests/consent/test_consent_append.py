"""Appending imports to the ledger: the chain runs on across import batches and across the writer's chunks, rows
keep file order whatever was skipped, and the ledger comparison is skipped only when no event_id can collide."""

from datetime import UTC, datetime
from hashlib import sha256
from pathlib import Path

import duckdb
import pytest

from consent import chain, ledger
from consent.importer import import_file
from consent.integrity import verify
from consent_ledgers import fresh, write_csv

NOW = datetime(2026, 3, 1, tzinfo=UTC)
HEADER = ("event_id", "customer_id", "platform", "action", "effective_at", "identifiers")


def event(event_id: str, customer_id: str = "C1", identifiers: str | None = None) -> tuple[str | None, ...]:
    return (event_id, customer_id, "meta", "grant", "2026-01-10T10:00:00Z", identifiers)


MIXED = [event("E1"), event("E2"), (None, "C1", "meta", "grant", "2026-01-10T10:00:00Z", None), event("E2"),
         event("E3"), ("E4", "C1", "meta", "maybe", "2026-01-10T10:00:00Z", None), event("E5"), event("E6"),
         event("E7"), event("E8", identifiers="phone|email")]
"""Rows 3 and 6 are rejected and row 4 repeats row 2, so the appended rows' positions have gaps."""


def chain_rows(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str, str, int]]:
    return con.execute("SELECT seq, prev_hash, row_hash, source_row FROM consent_event ORDER BY seq").fetchall()


def recomputed(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every row_hash recomputed in plain Python from the canonical contents DuckDB serialises."""
    contents = con.execute(
        f"SELECT CAST({ledger.content_sql('consent_event')} AS VARCHAR) FROM consent_event ORDER BY seq"
    ).fetchall()
    hashes, previous = [], chain.GENESIS
    for (content,) in contents:
        previous = sha256((previous + content).encode()).hexdigest()
        hashes.append(previous)
    return hashes


def test_the_chain_runs_on_across_import_batches(tmp_path: Path) -> None:
    con = fresh()
    first = import_file(con, write_csv(tmp_path / "a.csv", HEADER, [event("E1"), event("E2")]), now=NOW)
    second = import_file(con, write_csv(tmp_path / "b.csv", HEADER, [event("E3"), event("E4"), event("E5")]),
                         now=NOW)
    rows = chain_rows(con)
    assert (first.first_seq, first.last_seq, second.first_seq, second.last_seq) == (1, 2, 3, 5)
    assert [seq for seq, *_ in rows] == [1, 2, 3, 4, 5]
    (first_head,) = con.execute("SELECT head_hash FROM import_batch WHERE batch_id = 1").fetchall()[0]
    assert rows[2][1] == rows[1][2] == first_head
    assert [row_hash for _, _, row_hash, _ in rows] == recomputed(con)
    assert verify(con).intact and ledger.head(con) == (5, rows[-1][2])
    leftovers = con.execute("SELECT (SELECT count(*) FROM duckdb_tables() WHERE temporary) + "
                            "(SELECT count(*) FROM duckdb_views() WHERE temporary AND NOT internal)").fetchall()
    assert leftovers == [(0,)]


@pytest.mark.parametrize("chunk", [1, 2, 3, 4, 100])
def test_chunk_boundaries_do_not_change_the_ledger(tmp_path: Path, chunk: int,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_csv(tmp_path / "mixed.csv", HEADER, MIXED)
    whole = fresh()
    import_file(whole, path, now=NOW)
    monkeypatch.setattr(ledger, "LINK_BATCH_ROWS", chunk)
    chunked = fresh()
    report = import_file(chunked, path, now=NOW)
    assert (report.accepted, report.duplicates, report.rejected) == (7, 1, 2)
    rows = chain_rows(chunked)
    assert rows == chain_rows(whole)
    assert [source_row for *_, source_row in rows] == [1, 2, 5, 7, 8, 9, 10]
    assert [row_hash for _, _, row_hash, _ in rows] == recomputed(chunked)
    assert verify(chunked).intact


def test_a_later_file_is_compared_with_the_ledger_when_its_event_ids_interleave(tmp_path: Path) -> None:
    con = fresh()
    import_file(con, write_csv(tmp_path / "a.csv", HEADER, [event("A"), event("C")]), now=NOW)
    report = import_file(con, write_csv(tmp_path / "b.csv", HEADER, [event("B"), event("C"), event("C", "C9")]),
                         now=NOW)
    assert (report.accepted, report.duplicates, report.rejected) == (1, 1, 1)
    assert report.rejections[0].row == 3 and "already recorded with different content" in report.rejections[0].reason


def test_a_later_file_with_event_ids_beyond_the_ledger_is_appended_whole(tmp_path: Path) -> None:
    con = fresh()
    import_file(con, write_csv(tmp_path / "a.csv", HEADER, [event("A1"), event("A2")]), now=NOW)
    report = import_file(con, write_csv(tmp_path / "b.csv", HEADER, [event("B1"), event("B1"), event("B2")]),
                         now=NOW)
    assert (report.accepted, report.duplicates, report.rejected) == (2, 1, 0)
    assert [r[3] for r in chain_rows(con)] == [1, 2, 1, 3]
    assert verify(con).intact


@pytest.mark.parametrize(("text", "expected"), [
    ("phone|email", ["email", "phone"]), ("device_id|phone|email", ["device_id", "email", "phone"]),
    (" Email | PHONE ", ["email", "phone"]), ("email|email", ["email"]), ("email", ["email"]),
])
def test_identifiers_are_read_the_same_on_the_lookup_and_the_general_path(tmp_path: Path, text: str,
                                                                          expected: list[str]) -> None:
    con = fresh()
    import_file(con, write_csv(tmp_path / "ids.csv", HEADER, [event("E1", identifiers=text)]), now=NOW)
    assert con.execute("SELECT identifiers FROM consent_event").fetchall() == [(expected,)]


def test_append_refuses_repeated_positions() -> None:
    con = fresh()
    con.execute("CREATE TEMP TABLE staged AS SELECT * EXCLUDE (seq, prev_hash, row_hash), 1 AS position "
                "FROM consent_event")
    con.execute("INSERT INTO staged BY NAME SELECT 1 AS batch_id, i AS source_row, 'E' || i AS event_id, "
                "'C1' AS customer_id, 'meta' AS platform, 'grant' AS action, now() AS effective_at, "
                "now() AS recorded_at, ['email'] AS identifiers, now() AS imported_at, 1 AS position "
                "FROM range(1, 3) t(i)")
    with pytest.raises(ValueError, match="must not repeat"):
        ledger.append(con, "consent_event", "staged")


@pytest.mark.parametrize(("positions", "expected"), [
    ([1, 2, 5, 7, 8, 9, 10], [(1, 6), (7, 9), (10, 10)]),
    ([4, 5, 6, 7, 8, 9], [(4, 6), (7, 9)]),
    ([3, 4, 5, 6, 7], [(3, 5), (6, 7)]),
])
def test_append_chunks_hold_whole_batches_of_rows_whatever_the_gaps_in_positions(
    positions: list[int], expected: list[tuple[int, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ledger, "LINK_BATCH_ROWS", 3)
    con = duckdb.connect()
    con.execute("CREATE TABLE staged AS SELECT unnest($p) AS position", {"p": positions})
    assert ledger._chunks(con, "staged", len(positions), min(positions), max(positions)) == expected
