"""Per-platform export files: golden bytes, structure, batching, splitting, checksums, permissions, errors.

Regenerate the golden run after an intended format change with
`UPDATE_GOLDEN=1 .venv/bin/pytest tests/audience/test_platforms.py`, then review the diff of tests/cases/exports/run/.
"""

import csv
import hashlib
import json
import os
import random
import re
import shutil
import stat
from collections import defaultdict
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audience.errors import InputError
from audience.export import MANIFEST_NAME, ExportFile, verify_manifest, write_manifest
from audience.platforms import PLATFORMS
from audience.platforms.base import Lines, batch_ranges
from audience.audiences import DEFAULT_AUDIENCE
from audience.platforms.google import ACCOUNT_TYPES, CONSENT, PLACEHOLDERS, SHARED_LISTS_AUDIENCE

CASES = Path(__file__).parent.parent / "cases" / "exports"
GOLDEN = CASES / "run"
MEMBER_COLUMNS = ("customer_id", "identifier", "id_type", "value")
GOOGLE_IDS = {"operating_account_id": "1234567890", "contact_list_id": "5550001", "mobile_list_id": "5550002"}
OPTIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("google", "all"): {**GOOGLE_IDS, "batch_size": 2},
    ("meta", "all"): {"batch_size": 2},
    ("tiktok", "all"): {"max_file_bytes": 2 * 65, "phone_plus": False},
}
"""Small batches for audience `all` so that splitting shows; audience `vip` runs on the defaults. `phone_plus` is
the identifier core's TikTok option: writers ignore keys they do not use, as the config hands over whole sections."""
HEX64 = re.compile(r"[0-9a-f]{64}")
MAID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def case_members(platform: str) -> dict[tuple[str, str], pa.Table]:
    """The fixed members of tests/cases/exports/members/<platform>.csv, by (audience, op)."""
    groups: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    with (CASES / "members" / f"{platform}.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            groups[row["audience"], row["op"]].append({c: row[c] for c in MEMBER_COLUMNS})
    return {key: table(rows) for key, rows in groups.items()}


def table(rows: list[dict[str, str]]) -> pa.Table:
    return pa.table({c: pa.array([r[c] for r in rows], pa.string()) for c in MEMBER_COLUMNS})


def write_case_run(run_dir: Path) -> list[ExportFile]:
    files: list[ExportFile] = []
    for platform, writer in sorted(PLATFORMS.items()):
        for (audience, op), members in sorted(case_members(platform).items()):
            options = OPTIONS.get((platform, audience), {})
            files += writer.write(members, audience=audience, op=op, run_dir=run_dir, options=options)
    write_manifest(run_dir, run_id="golden", as_of="2026-03-01T10:00:00+01:00", files=files)
    return files


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def rows_of(platform: str, audience: str, op: str) -> list[dict[str, str]]:
    return case_members(platform)[audience, op].to_pylist()


@pytest.fixture(scope="module")
def case_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[ExportFile]]:
    run_dir = tmp_path_factory.mktemp("run")
    return run_dir, write_case_run(run_dir)


def test_case_run_matches_the_golden_files_byte_for_byte(case_run: tuple[Path, list[ExportFile]]) -> None:
    run_dir, _ = case_run
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(run_dir, GOLDEN)
    assert tree(run_dir) == tree(GOLDEN), "intended change? UPDATE_GOLDEN=1 .venv/bin/pytest " + __file__


def test_the_registry_holds_the_three_platforms_under_their_own_names() -> None:
    assert sorted(PLATFORMS) == ["google", "meta", "tiktok"]
    assert all(writer.name == name for name, writer in PLATFORMS.items())
    assert {name: w.min_audience for name, w in PLATFORMS.items()} == {"google": 100, "meta": 100, "tiktok": 1000}


def test_manifest_checksums_and_row_counts_equal_the_files(case_run: tuple[Path, list[ExportFile]]) -> None:
    run_dir, files = case_run
    assert verify_manifest(run_dir) == []
    for f in files:
        data = (run_dir / f.path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == f.sha256
        assert f.rows == count_rows(f.path, data), f.path
    listed = {f.path for f in files} | {MANIFEST_NAME}
    assert set(tree(run_dir)) == listed


def count_rows(path: str, data: bytes) -> int:
    if path.endswith(".json"):
        document = json.loads(data)
        return len(document.get("data", document.get("audienceMembers", [])))
    lines = data.decode().splitlines()
    return len(lines) - 1 if path.endswith(".csv") else len(lines)


def test_every_file_and_folder_is_owner_only(case_run: tuple[Path, list[ExportFile]]) -> None:
    run_dir, _ = case_run
    for path in run_dir.rglob("*"):
        expected = 0o700 if path.is_dir() else 0o600
        assert stat.S_IMODE(path.stat().st_mode) == expected, path


def test_meta_rows_are_one_per_customer_sorted_by_customer_id(case_run: tuple[Path, list[ExportFile]]) -> None:
    run_dir, files = case_run
    folder = run_dir / "meta" / "all" / "full"
    expected = pivot(rows_of("meta", "all", "full"), ("EMAIL", "PHONE", "MADID"))
    payloads = sorted(folder.glob("users-*.json"))
    data = []
    for payload in payloads:
        document = json.loads(payload.read_bytes())
        assert document["schema"] == ["EMAIL", "PHONE", "MADID"]
        assert 1 <= len(document["data"]) <= 2
        data += document["data"]
    assert data == expected
    assert len(payloads) == 4
    with (folder / "customers.csv").open(newline="") as handle:
        assert list(csv.reader(handle)) == [["email", "phone", "madid"], *expected]
    assert {f.identifier for f in files if f.platform == "meta"} == {"multi"}


def pivot(rows: list[dict[str, str]], keys: tuple[str, ...]) -> list[list[str]]:
    """The reference: a plain-Python pivot of member rows to one row per customer, sorted by customer_id."""
    customers: dict[str, dict[str, str]] = defaultdict(dict)
    for row in rows:
        customers[row["customer_id"]][row["id_type"]] = row["value"]
    return [[customers[c].get(k, "") for k in keys] for c in sorted(customers)]


def google_documents(folder: Path, pattern: str) -> list[dict[str, Any]]:
    return [json.loads(p.read_bytes()) for p in sorted(folder.glob(pattern))]


def test_google_ingest_bodies_hold_contact_members_with_consent(case_run: tuple[Path, list[ExportFile]]) -> None:
    run_dir, _ = case_run
    bodies = google_documents(run_dir / "google" / "all" / "full", "ingest-*.json")
    expected = [
        {
            "userData": {
                "userIdentifiers": [
                    *([{"emailAddress": email}] if email else []),
                    *([{"phoneNumber": phone}] if phone else []),
                ]
            },
            "consent": CONSENT,
        }
        for email, phone in pivot(rows_of("google", "all", "full"), ("EMAIL", "PHONE"))
        if email or phone
    ]
    assert [m for body in bodies for m in body["audienceMembers"]] == expected
    for body in bodies:
        assert len(body["audienceMembers"]) <= 2
        assert body["encoding"] == "HEX"
        assert body["termsOfService"] == {"customerMatchTermsOfServiceStatus": "ACCEPTED"}
        assert body["destinations"] == [
            {
                "operatingAccount": {"accountType": "GOOGLE_ADS", "accountId": "1234567890"},
                "productDestinationId": "5550001",
            }
        ]


def test_google_mobile_ids_go_unhashed_to_their_own_list(case_run: tuple[Path, list[ExportFile]]) -> None:
    run_dir, files = case_run
    folder = run_dir / "google" / "all" / "full"
    bodies = google_documents(folder, "mobile-ingest-*.json")
    members = [m for body in bodies for m in body["audienceMembers"]]
    expected = [m for (m,) in pivot(rows_of("google", "all", "full"), ("MOBILE_ID",)) if m]
    assert members == [{"mobileData": {"mobileIds": [maid]}, "consent": CONSENT} for maid in expected]
    assert all(MAID.fullmatch(maid) for maid in expected)
    assert {body["destinations"][0]["productDestinationId"] for body in bodies} == {"5550002"}
    assert (folder / "mobile-ids.csv").read_text().splitlines() == ["Mobile Device ID", *expected]
    mobile_files = {f.path for f in files if f.identifier == "device_id" and f.path.startswith("google/all/full/")}
    assert mobile_files == {f"google/all/full/{name}" for name in ("mobile-ids.csv", "mobile-ingest-0001.json",
                                                                    "mobile-ingest-0002.json")}


def test_google_never_mixes_contact_info_with_mobile_ids_nor_ingest_with_remove(
    case_run: tuple[Path, list[ExportFile]],
) -> None:
    run_dir, files = case_run
    google = [f for f in files if f.platform == "google"]
    assert google
    for f in google:
        name = f.path.rsplit("/", 1)[1]
        data = (run_dir / f.path).read_text()
        if name.endswith(".json"):
            method = "remove" if f.op == "remove" else "ingest"
            assert re.fullmatch(rf"(mobile-)?{method}-\d{{4}}\.json", name), name
            members = json.loads(data)["audienceMembers"]
            kinds = {key for m in members for key in m if key != "consent"}
            assert kinds == ({"mobileData"} if name.startswith("mobile-") else {"userData"})
        if "userData" in data or "Email,Phone" in data:
            assert not MAID.search(data), f.path
        if name.startswith("mobile-"):
            assert not HEX64.search(data), f.path


def test_google_remove_bodies_carry_per_member_consent_and_no_terms(case_run: tuple[Path, list[ExportFile]]) -> None:
    run_dir, _ = case_run
    folder = run_dir / "google" / "all" / "remove"
    contact = google_documents(folder, "remove-*.json")
    mobile = google_documents(folder, "mobile-remove-*.json")
    assert [list(body) for body in contact] == [["destinations", "encoding", "audienceMembers"]]
    assert [list(body) for body in mobile] == [["destinations", "encoding", "audienceMembers"]]
    members = contact[0]["audienceMembers"] + mobile[0]["audienceMembers"]
    assert all(list(m) in (["userData", "consent"], ["mobileData", "consent"]) for m in members)
    assert all(m["consent"] == {"adUserData": "CONSENT_GRANTED", "adPersonalization": "CONSENT_GRANTED"}
               for m in members)
    assert not list(folder.glob("ingest-*")) and not list(folder.glob("mobile-ingest-*"))


def test_google_writes_named_placeholders_for_destinations_not_configured(
    case_run: tuple[Path, list[ExportFile]],
) -> None:
    run_dir, _ = case_run
    folder = run_dir / "google" / "vip" / "add"
    [contact] = google_documents(folder, "ingest-0001.json")
    [mobile] = google_documents(folder, "mobile-ingest-0001.json")
    assert contact["destinations"][0] == {
        "operatingAccount": {"accountType": "GOOGLE_ADS", "accountId": PLACEHOLDERS["operating_account_id"]},
        "productDestinationId": "<google.audiences.vip.contact_list_id>",
    }
    assert mobile["destinations"][0]["productDestinationId"] == "<google.audiences.vip.mobile_list_id>"


def test_each_writer_names_the_options_its_files_hold_placeholders_for() -> None:
    google = PLATFORMS["google"]
    configured = {"operating_account_id": "1", "contact_list_id": "5", "audiences": {"vip": {"mobile_list_id": "7"}}}
    assert google.placeholders(audience="all", options={}) == (
        "google.operating_account_id", "google.contact_list_id", "google.mobile_list_id")
    assert google.placeholders(audience="all", options=configured) == ("google.mobile_list_id",)
    assert google.placeholders(audience="vip", options=configured) == ("google.audiences.vip.contact_list_id",)
    assert all(PLATFORMS[p].placeholders(audience="all", options={}) == () for p in ("meta", "tiktok"))


def google_destinations(members: pa.Table, audience: str, options: dict[str, Any], run_dir: Path) -> list[str]:
    """The list ids a Google remove writes to: the contact list's, then the mobile list's."""
    PLATFORMS["google"].write(members, audience=audience, op="remove", run_dir=run_dir, options=options)
    folder = run_dir / "google" / audience / "remove"
    bodies = google_documents(folder, "remove-0001.json") + google_documents(folder, "mobile-remove-0001.json")
    return [body["destinations"][0]["productDestinationId"] for body in bodies]


@pytest.mark.parametrize(
    ("audience", "options", "lists"),
    [
        ("all", {"contact_list_id": "1", "mobile_list_id": "2"}, ["1", "2"]),
        ("all", {}, [PLACEHOLDERS["contact_list_id"], PLACEHOLDERS["mobile_list_id"]]),
        ("all", {"contact_list_id": "1", "mobile_list_id": "2", "audiences": {"all": {"mobile_list_id": "5"}}},
         ["1", "5"]),
        ("loyal", {"contact_list_id": "1", "mobile_list_id": "2",
                   "audiences": {"loyal": {"contact_list_id": "3", "mobile_list_id": "4"}}}, ["3", "4"]),
        ("loyal", {"contact_list_id": "1", "mobile_list_id": "2", "audiences": {"loyal": {"contact_list_id": "3"}}},
         ["3", "<google.audiences.loyal.mobile_list_id>"]),
    ],
    ids=["all-top-level", "all-placeholders", "all-own-table-wins", "loyal-own-lists", "loyal-never-all-lists"],
)
def test_google_bodies_target_the_audiences_own_lists(
    audience: str, options: dict[str, Any], lists: list[str], tmp_path: Path
) -> None:
    members = case_members("google")["all", "remove"]

    assert google_destinations(members, audience, options, tmp_path) == lists


def test_google_refuses_one_list_for_contact_and_mobile_ids(tmp_path: Path) -> None:
    members = case_members("google")["all", "remove"]
    options = {"audiences": {"loyal": {"contact_list_id": "7", "mobile_list_id": 7}}}

    with pytest.raises(InputError, match="one Google list, 7, for contact information and mobile IDs"):
        PLATFORMS["google"].write(members, audience="loyal", op="remove", run_dir=tmp_path, options=options)


def test_google_top_level_lists_belong_to_the_built_in_audience() -> None:
    assert SHARED_LISTS_AUDIENCE == DEFAULT_AUDIENCE


def test_tiktok_files_hold_distinct_sorted_hashes_one_per_line(case_run: tuple[Path, list[ExportFile]]) -> None:
    run_dir, files = case_run
    folder = run_dir / "tiktok" / "all" / "full"
    by_type: dict[str, set[str]] = defaultdict(set)
    for row in rows_of("tiktok", "all", "full"):
        by_type[row["id_type"]].add(row["value"])
    for id_type, values in by_type.items():
        parts = sorted(folder.glob(f"{id_type}*.txt"))
        lines = [line for part in parts for line in part.read_text().split("\n")[:-1]]
        assert lines == sorted(values), id_type
        assert all(HEX64.fullmatch(line) for line in lines)
        assert all(part.stat().st_size <= 2 * 65 for part in parts)
        names = [p.name for p in parts]
        if len(values) <= 2:
            assert names == [f"{id_type}.txt"]
        else:
            assert names == [f"{id_type}-{n:04d}.txt" for n in range(1, len(names) + 1)]
    identifiers = {Path(f.path).stem.split("-")[0]: f.identifier for f in files if f.platform == "tiktok"}
    assert identifiers == {
        "EMAIL_SHA256": "email",
        "PHONE_SHA256": "phone",
        "IDFA_SHA256": "device_id",
        "GAID_SHA256": "device_id",
        "MAID_SHA256": "device_id",
    }


def test_tiktok_splits_only_past_the_byte_limit(tmp_path: Path) -> None:
    rows = [{"customer_id": f"c{n}", "identifier": "email", "id_type": "EMAIL_SHA256",
             "value": hashlib.sha256(str(n).encode()).hexdigest()} for n in range(10)]
    writer = PLATFORMS["tiktok"]

    one = writer.write(table(rows), audience="a", op="add", run_dir=tmp_path, options={"max_file_bytes": 650})
    three = writer.write(table(rows), audience="b", op="add", run_dir=tmp_path, options={"max_file_bytes": 649})

    assert [(f.path, f.rows) for f in one] == [("tiktok/a/add/EMAIL_SHA256.txt", 10)]
    assert [f.rows for f in three] == [9, 1]
    assert [f.path for f in three] == ["tiktok/b/add/EMAIL_SHA256-0001.txt", "tiktok/b/add/EMAIL_SHA256-0002.txt"]


@pytest.mark.parametrize("platform", sorted(PLATFORMS), ids=str)
def test_an_empty_membership_writes_no_files(platform: str, tmp_path: Path) -> None:
    empty = table([])

    files = PLATFORMS[platform].write(empty, audience="all", op="remove", run_dir=tmp_path, options={})

    assert files == []
    assert tree(tmp_path) == {}


@pytest.mark.parametrize("platform", sorted(PLATFORMS), ids=str)
def test_a_rewrite_removes_files_an_earlier_attempt_left(platform: str, tmp_path: Path) -> None:
    members = case_members(platform)["all", "full"]
    writer = PLATFORMS[platform]
    small = OPTIONS[platform, "all"]
    writer.write(members, audience="all", op="full", run_dir=tmp_path, options=small)

    files = writer.write(members, audience="all", op="full", run_dir=tmp_path, options={})

    assert set(tree(tmp_path)) == {f.path for f in files}


@pytest.mark.parametrize("platform", sorted(PLATFORMS), ids=str)
@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), chunk=st.integers(1, 18))
def test_output_does_not_depend_on_row_order_or_chunking(
    platform: str, seed: int, chunk: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    rows = rows_of(platform, "all", "full")
    shuffled = rows[:]
    random.Random(seed).shuffle(shuffled)
    chunked = pa.Table.from_batches(table(shuffled).to_batches(max_chunksize=chunk))
    first, second = tmp_path_factory.mktemp("a"), tmp_path_factory.mktemp("b")
    options = OPTIONS[platform, "all"]

    a = PLATFORMS[platform].write(table(rows), audience="all", op="full", run_dir=first, options=options)
    b = PLATFORMS[platform].write(chunked, audience="all", op="full", run_dir=second, options=options)

    assert a == b
    assert tree(first) == tree(second)


@pytest.mark.parametrize("platform", sorted(PLATFORMS), ids=str)
def test_input_sorted_by_customer_gives_the_same_files_as_any_other_order(platform: str, tmp_path: Path) -> None:
    rows = rows_of(platform, "all", "full")
    ordered = sorted(rows, key=lambda r: (r["customer_id"], r["identifier"], r["id_type"]))
    options = OPTIONS[platform, "all"]

    a = PLATFORMS[platform].write(table(rows), audience="all", op="full", run_dir=tmp_path / "a", options=options)
    b = PLATFORMS[platform].write(table(ordered), audience="all", op="full", run_dir=tmp_path / "b", options=options)

    assert a == b
    assert tree(tmp_path / "a") == tree(tmp_path / "b")


def member(customer: str, identifier: str, id_type: str, value: str) -> dict[str, str]:
    return {"customer_id": customer, "identifier": identifier, "id_type": id_type, "value": value}


SECRET = "f" * 63 + "X"
ERROR_CASES = {
    "missing-columns": (pa.table({"customer_id": ["c1"], "value": ["v"]}), "missing column(s) identifier, id_type"),
    "unknown-id-type": (table([member("c1", "email", "EMAIL_MD5", "a" * 64)]), "row 1, column id_type: 'EMAIL_MD5'"),
    "identifier-mismatch": (table([member("c1", "phone", "EMAIL", "a" * 64)]), "row 1, column identifier"),
    "not-a-hash": (table([member("c1", "email", "EMAIL", "a" * 64), member("c2", "email", "EMAIL", SECRET)]),
                   "row 2, column value: not a lowercase SHA-256 hex"),
    "short-hash": (table([member("c1", "email", "EMAIL", "abc")]), "row 1, column value"),
    "uppercase-maid": (table([member("c1", "device_id", "MADID", "AECE52E7-03EE-455A-B3C4-E57283966239")]),
                       "row 1, column value: not a canonical mobile advertising ID"),
    "maid-with-moved-hyphen": (table([member("c1", "device_id", "MADID", "aece52e7-03ee-455a-b3c4-e5728396623-")]),
                               "row 1, column value"),
    "two-emails": (table([member("c1", "email", "EMAIL", "a" * 64), member("c2", "email", "EMAIL", "b" * 64),
                          member("c1", "email", "EMAIL", "c" * 64)]), "rows 1 and 3 hold two EMAIL values"),
    "two-emails-sorted": (table([member("c1", "email", "EMAIL", "a" * 64), member("c1", "email", "EMAIL", "b" * 64),
                                 member("c2", "email", "EMAIL", "c" * 64)]), "rows 1 and 2 hold two EMAIL values"),
    "null": (pa.table({"customer_id": ["c1", None], "identifier": ["email"] * 2, "id_type": ["EMAIL"] * 2,
                       "value": ["a" * 64] * 2}), "row 2, column customer_id: empty"),
    "not-text": (pa.table({"customer_id": [1], "identifier": ["email"], "id_type": ["EMAIL"], "value": ["a" * 64]}),
                 "column customer_id must hold text"),
}


@pytest.mark.parametrize("case", sorted(ERROR_CASES), ids=str)
def test_unusable_members_are_refused_with_the_row_and_never_the_value(case: str, tmp_path: Path) -> None:
    members, message = ERROR_CASES[case]

    with pytest.raises(InputError, match=re.escape(message)) as raised:
        PLATFORMS["meta"].write(members, audience="all", op="full", run_dir=tmp_path, options={})

    assert SECRET not in str(raised.value) and "aece52e7" not in str(raised.value).lower()
    assert tree(tmp_path) == {}


@pytest.mark.parametrize(
    ("platform", "options", "message"),
    [
        ("meta", {"batch_size": 10_001}, "batch_size must be a whole number from 1 to 10000"),
        ("google", {"batch_size": 0}, "batch_size must be a whole number from 1 to 10000"),
        ("google", {"operating_account_type": "YOUTUBE"}, f"one of {', '.join(ACCOUNT_TYPES)}"),
        ("google", {"contact_list_id": " "}, "contact_list_id must be non-empty text"),
        ("google", {"audiences": {"all": {"mobile_list_id": ""}}}, "audiences.all.mobile_list_id must be non-empty"),
        ("google", {"audiences": {"all": "5550001"}}, "Option audiences must map audience names to tables"),
        ("tiktok", {"max_file_bytes": 64}, "max_file_bytes must be a whole number from 65"),
    ],
    ids=["meta-batch", "google-batch", "google-account-type", "google-list", "google-own-list", "google-lists",
         "tiktok-bytes"],
)
def test_invalid_options_are_refused(platform: str, options: dict[str, Any], message: str, tmp_path: Path) -> None:
    members = case_members(platform)["all", "full"]

    with pytest.raises(InputError, match=re.escape(message)):
        PLATFORMS[platform].write(members, audience="all", op="full", run_dir=tmp_path, options=options)


@pytest.mark.parametrize("audience", ["../etc", "a/b", ".hidden", "", "x" * 101], ids=repr)
def test_audience_names_that_are_not_safe_folder_names_are_refused(audience: str, tmp_path: Path) -> None:
    members = case_members("tiktok")["all", "full"]

    with pytest.raises(InputError, match="cannot be used as a folder name"):
        PLATFORMS["tiktok"].write(members, audience=audience, op="full", run_dir=tmp_path, options={})


def test_lines_come_out_in_pieces_that_join_to_the_whole_text() -> None:
    lines = Lines(pa.chunked_array([["a\n", "bb\n"], ["ccc\n", "d\n", "e\n"]]))

    pieces = [bytes(piece) for piece in lines.chunks(head=b"H\n", size=2)]

    assert pieces == [b"H\n", b"a\nbb\n", b"ccc\nd\n", b"e\n"]
    assert bytes(lines.span(1, 4, trim=1)) == b"bb\nccc\nd"
    assert list(batch_ranges(5, 2)) == [(0, 2), (2, 4), (4, 5)]


def test_google_account_and_list_ids_given_as_numbers_are_written_as_text(tmp_path: Path) -> None:
    members = case_members("google")["vip", "add"]
    options = {"operating_account_id": 1234567890, "operating_account_type": "DATA_PARTNER",
               "audiences": {"vip": {"contact_list_id": 42}}}

    PLATFORMS["google"].write(members, audience="vip", op="add", run_dir=tmp_path, options=options)

    [body] = google_documents(tmp_path / "google" / "vip" / "add", "ingest-0001.json")
    assert body["destinations"] == [
        {"operatingAccount": {"accountType": "DATA_PARTNER", "accountId": "1234567890"}, "productDestinationId": "42"}
    ]
