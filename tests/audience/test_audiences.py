from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from audience import store
from audience.audiences import DEFAULT_AUDIENCE, Audience, audiences, check
from audience.errors import InputError, is_column_name


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    store.run_script(connection, "schema.sql")
    store.reset_staging(connection)
    customers = pa.table({"source_row": pa.array([1, 2, 3], pa.int64()), "customer_id": ["C1", "C2", "C3"],
                          "orders_12m": ["0", "7", "12"], "city": ["Kraków", "Gdańsk", "Kraków"]})
    store.stage_customers(connection, customers, customers)
    store.finish_customers(connection, "r1")
    yield connection
    connection.close()


def test_all_comes_first_and_the_rest_in_name_order() -> None:
    found = audiences({"vip": "orders_12m > 10", "loyal": "orders_12m >= 5"})
    assert [a.name for a in found] == [DEFAULT_AUDIENCE, "loyal", "vip"]
    assert found[0].condition is None


@pytest.mark.parametrize("name", ["All", "has space", "ünicode", "../up", "x" * 65, ""], ids=repr)
def test_unusable_names_are_refused(name: str) -> None:
    with pytest.raises(InputError, match="not usable"):
        audiences({name: "orders_12m > 1"})


def test_all_cannot_be_redefined_and_conditions_cannot_be_empty() -> None:
    with pytest.raises(InputError, match="built in"):
        audiences({"all": "orders_12m > 1"})
    with pytest.raises(InputError, match="empty condition"):
        audiences({"loyal": "  "})


def test_conditions_filter_on_typed_attributes(con: duckdb.DuckDBPyConnection) -> None:
    assert check(con, Audience("all")) == 3
    assert check(con, Audience("loyal", "orders_12m >= 5")) == 2
    assert check(con, Audience("krakow", "city = 'Kraków' AND orders_12m > 10")) == 1


@pytest.mark.parametrize(
    ("condition", "says"),
    [
        ("orders_12m >=", "not valid SQL"),
        ("customer_id IN (SELECT customer_id FROM run)", "one expression"),
        ("1=1) UNION SELECT run_id FROM run WHERE (1=1", "one expression"),
        ("1=1); DROP TABLE run; SELECT (1", "not valid SQL"),
        ("segment = 'gold'", "does not run"),
        ("city > 5", "does not run"),
    ],
    ids=["syntax", "subquery", "union", "second-statement", "unknown-column", "type-mismatch"],
)
def test_bad_conditions_name_the_audience_and_the_fix(con: duckdb.DuckDBPyConnection, condition: str,
                                                      says: str) -> None:
    with pytest.raises(InputError, match=says) as raised:
        check(con, Audience("broken", condition))
    message = str(raised.value)
    assert "'broken'" in message and "[audiences].broken" in message
    assert con.execute("SELECT count(*) FROM run").fetchall() == [(0,)]


def test_an_unknown_column_lists_the_columns_there_are(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(InputError, match="orders_12m"):
        check(con, Audience("broken", "segment = 'gold'"))


def test_a_condition_needing_an_extension_fails_without_downloading_it(tmp_path: Path) -> None:
    connection = store.connect(tmp_path / "workspace.duckdb")
    store.reset_staging(connection)
    customers = pa.table({"source_row": pa.array([1], pa.int64()), "customer_id": ["C1"], "orders_12m": ["7"]})
    store.stage_customers(connection, customers, customers)
    store.finish_customers(connection, "r1")
    assert connection.execute("SELECT current_setting('autoinstall_known_extensions')").fetchall() == [(False,)]
    with pytest.raises(InputError, match="does not run"):
        check(connection, Audience("shifted", "orders_12m >>= 5"))  # an operator of the inet extension
    connection.close()


@pytest.mark.parametrize(("condition", "value"), [
    ("note::INT > 1", "+48 601 111 224"),
    ("note::DATE > DATE '2020-01-01'", "ABCDEF03-1111-4222-8333-ABCDEFABCD03"),
    ("json_extract(note, '$.x')::INT = 1", "prefs.leak5@leakmail.pl"),
], ids=["phone", "device-id", "email"])
def test_a_condition_failing_on_the_data_does_not_quote_it(condition: str, value: str) -> None:
    db = duckdb.connect()
    store.run_script(db, "schema.sql")
    store.reset_staging(db)
    customers = pa.table({"source_row": pa.array([1], pa.int64()), "customer_id": ["C1"], "note": [value]})
    store.stage_customers(db, customers, customers)
    store.finish_customers(db, "r1")
    with pytest.raises(InputError, match="does not run") as refused:
        check(db, Audience("a", condition))
    assert value not in str(refused.value) and value[:8] not in str(refused.value)
    assert "note" in str(refused.value)


@pytest.mark.parametrize("name", ["ABCDEF03-1111-4222-8333-ABCDEFABCD03", "+48601111224", "jan@wp.pl"])
def test_values_where_column_names_should_be_are_not_taken_for_names(name: str) -> None:
    assert not is_column_name(name)
    assert is_column_name("device_id") and is_column_name("Email Address")
