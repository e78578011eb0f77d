"""The second task of a partition: its customers' consent evaluated and its audiences' members found, from files
alone. The run's process splits the consent ledger like the customers (it alone opens the workspace); a partition
task reads its share of the ledger and its first task's outputs, and writes its eligibility, audiences and members as
Parquet for the run's process to stage (`store.plan_targets` computes the deltas from them).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import duckdb
import pyarrow as pa

from audience import partitions, storage, store
from consent import evaluate

LEDGER_BATCH_ROWS = 500_000
_EXCLUSIVE = "customer_id IS NOT NULL AND email_hmac IS NULL AND phone_hmac IS NULL"
"""A suppression by customer_id alone: only its customer's partition needs it."""


@dataclass(frozen=True, slots=True)
class LedgerSplit:
    """The ledger rows that count as of `as_of`, split like the customers (paths: local or fsspec URLs)."""

    as_of: datetime
    events: tuple[str, ...]
    """Per partition: the consent events of its customers."""
    suppressions: tuple[str, ...]
    """Per partition: the suppressions of its customers by customer_id alone."""
    by_key: str
    """The suppressions by email or phone, which every partition matches against its customers' keys."""


@dataclass(frozen=True, slots=True)
class Targets:
    """The run's (platform, audience) targets, with the customer attribute types their conditions were checked
    against: a partition gives its customers the same types, whatever its own rows would suggest."""

    targets: tuple[store.Target, ...]
    customer_schema: pa.Schema

    @classmethod
    def of(cls, con: duckdb.DuckDBPyConnection, targets: Sequence[store.Target]) -> "Targets":
        """`targets`, with the types of the customers staged on `con`."""
        return cls(tuple(targets), con.sql("SELECT * FROM staging_customer LIMIT 0").to_arrow_table().schema)


@dataclass(frozen=True, slots=True)
class MembersOutput:
    """What a partition's members task wrote (paths, never a value)."""

    index: int
    eligible: str
    """platform, customer_id, identifiers, event_id: the partition's consent evaluation."""
    audiences: str
    """audience, customer_id: the partition's customers in each audience."""
    members: str
    """The rows of `store.current_members` for the partition's customers."""


def split_ledger(con: duckdb.DuckDBPyConnection, directory: str, partitions_count: int,
                 as_of: datetime) -> LedgerSplit:
    """Write the ledger rows that count as of `as_of` (and every erasure `audience forget` recorded:
    `store.run_suppressions_sql`) under `directory` (a local path or an fsspec URL): each customer's events and
    suppressions by customer_id into its partition (`partitions.BUCKET_SQL`), the suppressions by email or phone into
    one file for every partition."""
    storage.make_dirs(directory)
    params = {"as_of": as_of, "partitions": partitions_count}

    def scatter(counting: str, where: str, name: str) -> tuple[str, ...]:
        paths = [storage.join(directory, f"{name}-{i:04d}.parquet") for i in range(partitions_count)]
        if not paths:
            return ()
        rows = con.sql(f"SELECT *, {partitions.BUCKET_SQL} AS bucket FROM ({counting}) WHERE {where}",
                       params=params).to_arrow_reader(LEDGER_BATCH_ROWS)
        partitions.scatter(rows, paths)
        return tuple(paths)

    events = scatter(evaluate.counting_sql("consent_event"), "true", "events")
    suppressions = scatter(store.run_suppressions_sql(), _EXCLUSIVE, "suppressions")
    by_key = storage.join(directory, "suppressions-by-key.parquet")
    partitions.write_table(by_key, con.sql(f"SELECT * FROM ({store.run_suppressions_sql()}) WHERE NOT ({_EXCLUSIVE})",
                                           params={"as_of": as_of}).to_arrow_table())
    return LedgerSplit(as_of, events, suppressions, by_key)


def members_of_partition(output: partitions.PartitionOutput, ledger: LedgerSplit, targets: Targets, *,
                         max_consent_age_days: int) -> MembersOutput:
    """Evaluate the consent of one partition's customers as of the ledger split's time and find every target's
    members among them, into Parquet files beside the partition's other outputs.

    The targets' audience conditions must have passed `audiences.check` against the run's customers. Idempotent:
    the outputs are replaced whole.
    """
    out = output.customers.rsplit("/", 1)[0]
    paths = {name: storage.join(out, f"{name}.parquet") for name in ("eligible", "audiences", "members")}
    with partitions.connect() as con:
        con.register("consent_event", partitions.read(ledger.events[output.index]))
        con.register("suppression", pa.concat_tables([partitions.read(ledger.suppressions[output.index]),
                                                      partitions.read(ledger.by_key)]))
        con.register("customer_key", partitions.read(output.keys))
        customers = partitions.read(output.customers)
        con.register("staging_customer", customers.select(targets.customer_schema.names).cast(targets.customer_schema))
        con.register("staging_identifier", partitions.read(output.identifiers))
        con.register("staging_target", pa.table({
            "platform": pa.array([t.platform for t in targets.targets], pa.string()),
            "audience": pa.array([t.audience for t in targets.targets], pa.string()),
        }))
        eligible = evaluate.evaluate(con, ledger.as_of, max_consent_age_days=max_consent_age_days,
                                     customer_keys="customer_key", counting="true").to_arrow_table()
        con.register("staging_eligible", eligible)
        con.execute("CREATE TEMP TABLE staging_audience (audience VARCHAR NOT NULL, customer_id VARCHAR NOT NULL)")
        for name, condition in dict.fromkeys((t.audience, t.condition) for t in targets.targets):
            store.stage_audience(con, name, condition)
        partitions.write_table(paths["eligible"], eligible)
        partitions.write_table(paths["audiences"], con.sql("SELECT * FROM staging_audience").to_arrow_table())
        partitions.write_table(paths["members"], store.current_members(con).to_arrow_table())
    return MembersOutput(output.index, paths["eligible"], paths["audiences"], paths["members"])
