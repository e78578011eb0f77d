"""normalise_customers: every identifier of a batch, for every platform, with rejections, keys and pre-hashed input."""

import pyarrow as pa
import pytest

from audience.errors import InputError
from audience.hashing import sha256_hex
from audience.identifiers import reasons
from audience.identifiers.columns import normalise_customers
from audience.identifiers.reference import platform_value
from audience.identifiers.rules import PLATFORMS, RuleSet

IDFA = "AECE52E7-03EE-455A-B3C4-E57283966239"
GAID = " 38400000-8cf0-11bd-b23e-10b96e40000d "
HASH = "9B431636BD164765D63C573C346708846AF4F68FE3701A77A3BDD7E7E5166254"


def _customers(**columns: list) -> pa.Table:
    n = len(columns["customer_id"])
    base = {"customer_id": columns["customer_id"], "source_row": pa.array(range(1, n + 1), pa.int64())}
    for name in ("email", "phone", "device_id", "country", "device_os"):
        base[name] = pa.array(columns.get(name, [None] * n), pa.string())
    return pa.table(base)


def _rows(table: pa.Table) -> dict[tuple, tuple]:
    """(customer, identifier, platform) -> (id_type, what the platform receives, SHA-256 hex)."""
    return {(r["customer_id"], r["identifier"], r["platform"]): (r["id_type"], r["unhashed"] or r["sha256"].hex(),
                                                                 r["sha256"].hex())
            for r in table.to_pylist()}


SAMPLE = _customers(
    customer_id=["a", "b", "c", "d"],
    email=["Jan.Kowalski+x@Gmail.com", None, "+promo@gmail.com", "bad email@x.pl"],
    phone=["512 345 678", "030 1234567", None, "12"],
    device_id=[IDFA, None, "zzz", GAID],
    country=["PL", "DE", None, None],
    device_os=["ios", None, "android", " Android "],
)


def test_every_value_is_the_platform_string_hashed_as_the_reference_says() -> None:
    rows = _rows(normalise_customers(SAMPLE, RuleSet()).identifiers)
    for record in SAMPLE.to_pylist():
        for platform in PLATFORMS:
            for kind, column in (("email", "email"), ("phone", "phone"), ("maid", "device_id")):
                raw = record[column]
                expected = platform_value(kind, platform, raw, record["country"]) if raw else None
                got = rows.get((record["customer_id"], column, platform))
                if expected is None or not expected.ok:
                    assert got is None
                    continue
                sent_raw = kind == "maid" and platform != "tiktok"
                assert got[1:] == ((expected.value if sent_raw else sha256_hex(expected.value)),
                                   sha256_hex(expected.value))


def test_id_types_follow_each_platform_and_device_os() -> None:
    rows = _rows(normalise_customers(SAMPLE, RuleSet()).identifiers)
    assert rows[("a", "device_id", "tiktok")][0] == "IDFA_SHA256"
    assert rows[("d", "device_id", "tiktok")][0] == "GAID_SHA256"
    assert rows[("a", "device_id", "google")][0] == "MOBILE_ID"
    assert rows[("a", "device_id", "meta")][0] == "MADID"
    assert rows[("a", "email", "tiktok")][0] == "EMAIL_SHA256"
    assert rows[("b", "phone", "meta")][0] == "PHONE"


def test_rejections_name_row_column_and_platform_never_the_value() -> None:
    rejections = normalise_customers(SAMPLE, RuleSet()).rejections.to_pylist()
    assert {(r["source_row"], r["column"], r["platform"], r["reason"]) for r in rejections} == {
        (3, "device_id", None, reasons.MAID_FORMAT),
        (3, "email", "google", reasons.EMAIL_EMPTY_AFTER_CUT),
        (3, "email", "tiktok", reasons.EMAIL_EMPTY_AFTER_CUT),
        (4, "email", None, reasons.EMAIL_SYNTAX),
        (4, "phone", None, reasons.PHONE_INVALID),
    }


def test_keys_are_canonical_email_and_e164_phone() -> None:
    keys = normalise_customers(SAMPLE, RuleSet()).keys.to_pylist()
    assert keys[0] == {"customer_id": "a", "email": "jan.kowalski+x@gmail.com", "phone": "+48512345678"}
    assert keys[1] == {"customer_id": "b", "email": None, "phone": "+49301234567"}


def test_tiktok_phone_plus_option() -> None:
    rows = _rows(normalise_customers(SAMPLE, RuleSet(tiktok_phone_plus=True)).identifiers)
    assert rows[("a", "phone", "tiktok")][1] == sha256_hex("+48512345678")


def test_prehashed_column_passes_through_lowercased_to_every_platform() -> None:
    table = _customers(customer_id=["a", "b"], email=[HASH, HASH.lower()], phone=["512345678", None])
    result = normalise_customers(table, RuleSet(), prehashed=frozenset({"email"}))
    rows = _rows(result.identifiers)
    for platform in PLATFORMS:
        assert rows[("a", "email", platform)][1:] == (HASH.lower(), HASH.lower())
        assert rows[("b", "email", platform)][1:] == (HASH.lower(), HASH.lower())
    assert result.keys.column("email").to_pylist() == [None, None]


@pytest.mark.parametrize(
    ("email", "prehashed", "message"),
    [
        ([HASH, "jan@wp.pl"], frozenset(), r"column email holds values that look like SHA-256 hashes \(rows 1\)"),
        (["jan@wp.pl", HASH], frozenset({"email"}), r"declared pre-hashed but holds values that are not.*rows 1\)"),
        ([HASH, " " + HASH], frozenset({"email"}), r"declared pre-hashed but holds values that are not.*rows 2\)"),
        ([" " + HASH, "jan@wp.pl"], frozenset(), r"column email holds values that look like SHA-256 hashes \(rows 1\)"),
    ],
    ids=["hash-in-raw-column", "raw-in-prehashed-column", "padded-hash-in-prehashed-column",
         "padded-hash-in-raw-column"],
)
def test_misdeclared_columns_stop_with_the_column_and_rows(email, prehashed, message) -> None:
    with pytest.raises(InputError, match=message) as error:
        normalise_customers(_customers(customer_id=["a", "b"], email=email), RuleSet(), prehashed=prehashed)
    assert "jan@wp.pl" not in str(error.value) and HASH not in str(error.value)


def test_device_ids_cannot_be_declared_prehashed() -> None:
    with pytest.raises(InputError, match="Google and Meta take device IDs unhashed"):
        normalise_customers(SAMPLE, RuleSet(), prehashed=frozenset({"device_id"}))


def test_names_come_as_dictionaries_of_the_staged_enum_names() -> None:
    identifiers = normalise_customers(SAMPLE, RuleSet()).identifiers
    for name in ("identifier", "platform", "id_type"):
        assert pa.types.is_dictionary(identifiers.schema.field(name).type)
    assert set(identifiers.column("platform").to_pylist()) == set(PLATFORMS)


def test_customers_without_identifiers_give_no_rows_and_empty_keys() -> None:
    result = normalise_customers(_customers(customer_id=["a", "b"]), RuleSet())
    assert result.identifiers.num_rows == 0 and result.rejections.num_rows == 0
    assert result.keys.to_pylist() == [{"customer_id": c, "email": None, "phone": None} for c in ("a", "b")]
