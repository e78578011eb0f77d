"""The consent events file: grants and withdrawals per platform, as a consent platform and shop systems log them.

Each customer has the same event slots (SLOTS); which slots are used and what they hold is drawn per customer, so
any range of customers can be generated on its own and events come out in customer, then slot, order.
"""

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from data.columns import join
from data.customers import customer_ids
from data.draws import Draws, fixed_width_strings, hex_matrix
from data.timestamps import DAY, iso_timestamps
from data.vocabulary import GRANT_SOURCES, NOTICE_VERSIONS, WITHDRAW_SOURCES

CONSENT_SCHEMA = pa.schema(
    [
        ("event_id", pa.string()),
        ("customer_id", pa.string()),
        ("platform", pa.string()),
        ("action", pa.string()),
        ("effective_at", pa.string()),
        ("recorded_at", pa.string()),
        ("identifiers", pa.string()),
        ("source", pa.string()),
        ("source_record_id", pa.string()),
        ("notice_version", pa.string()),
    ]
)

SLOTS = ("first", "second", "third", "renewal", "narrowing", "withdrawal", "return", "late", "stranger")
"""first/second/third: the first grants (one `*` grant, or up to three per-platform grants in one session);
renewal: the same consent given again later; narrowing: a later grant for one platform covering fewer identifiers;
withdrawal: for one platform or `*`; return: a grant after that withdrawal; late: an event effective or recorded
after as_of; stranger: an event for a customer id that is not in the customers file."""

PLATFORMS = ("*", "google", "meta", "tiktok")
ACTIONS = ("grant", "withdraw")
IDENTIFIER_SETS = (None, "email|phone|device_id", "email|phone", "email", "phone", "device_id", "email|device_id")
_GRANT_IDENTIFIERS = (45.0, 30.0, 10.0, 8.0, 3.0, 2.0, 2.0)
_NARROWED_IDENTIFIERS = (0.0, 0.0, 40.0, 35.0, 10.0, 5.0, 10.0)

MODES = (55.0, 30.0, 15.0)
"""How a customer first consented: one grant for every platform (`*`), grants per platform, or not at all."""

CONSENT_LIFETIME_DAYS = 730
OLD_SHARE = 0.22
"""Share of first grants made more than CONSENT_LIFETIME_DAYS (plus a month's margin) before as_of."""

_SOURCES = pa.array([s for s, _ in GRANT_SOURCES] + [s for s, _ in WITHDRAW_SOURCES], pa.string())
_NOTICE_STARTS = np.array([np.datetime64(day, "s").astype(np.int64) for day, _ in NOTICE_VERSIONS])
_NOTICES = pa.array([name for _, name in NOTICE_VERSIONS], pa.string())


@dataclass(frozen=True, slots=True)
class _Slot:
    """One slot for every customer of a range: whether it holds an event, and the event's platform, action (index
    into ACTIONS), and when it took effect and was recorded (seconds since the epoch)."""

    active: np.ndarray
    platform: np.ndarray
    action: np.ndarray
    effective: np.ndarray
    recorded: np.ndarray | None = None


def _days(d: Draws, stream: str, low: float, high: float) -> np.ndarray:
    """A random span of low..high days per row, in seconds."""
    return (DAY * (low + (high - low) * d.uniform(stream))).astype(np.int64)


def _between(d: Draws, stream: str, start: np.ndarray, stop: np.ndarray | int) -> np.ndarray:
    """A random instant per row from start to stop."""
    return start + ((stop - start) * d.uniform(stream)).astype(np.int64)


def _slots(d: Draws, as_of: int) -> list[_Slot]:
    """Every slot of the customers in d, in SLOTS order."""
    grant, withdraw = np.zeros(len(d), np.int64), np.ones(len(d), np.int64)
    mode = d.pick("consent.mode", MODES)
    everything, per_platform, consented = mode == 0, mode == 1, mode != 2
    old = d.chance("consent.old", OLD_SHARE)
    first = as_of - np.where(
        old,
        _days(d, "consent.age", CONSENT_LIFETIME_DAYS + 30, 2200),
        _days(d, "consent.age", 1, CONSENT_LIFETIME_DAYS - 30),
    )
    platform_0 = d.below("consent.first_platform", 3)
    slots = [
        _Slot(
            active=consented if k == 0 else per_platform & d.chance(f"consent.also.{k}", 0.6),
            platform=np.where(everything, 0, 1 + (platform_0 + k) % 3),
            action=grant,
            effective=first + d.below(f"consent.session.{k}", 120) * (k > 0),
        )
        for k in range(3)
    ]
    renewed = consented & (d.uniform("consent.renew") < np.where(old, 0.45, 0.25))
    renewed_for = np.where(per_platform & d.chance("consent.renew_one", 0.5), slots[0].platform, 0)
    renewed_at = np.where(
        old, as_of - _days(d, "consent.renew_age", 1, 700), _between(d, "consent.renew_at", first, as_of)
    )
    slots.append(_Slot(renewed, renewed_for, grant, renewed_at))
    narrowed = consented & d.chance("consent.narrow", 0.10)
    narrowed_for = 1 + d.below("consent.narrow_platform", 3)
    slots.append(_Slot(narrowed, narrowed_for, grant, _between(d, "consent.narrow_at", first, as_of)))
    withdrawn = (consented & d.chance("consent.withdraw", 0.16)) | (~consented & d.chance("consent.object", 0.10))
    withdrawn_for = np.where(d.chance("consent.withdraw_all", 0.4), 0, 1 + d.below("consent.withdraw_platform", 3))
    since = np.where(consented, first, as_of - _days(d, "consent.object_age", 1, 900))
    withdrawn_at = _between(d, "consent.withdraw_at", since, as_of)
    slots.append(_Slot(withdrawn, withdrawn_for, withdraw, withdrawn_at))
    returned = withdrawn & consented & d.chance("consent.return", 0.2)
    slots.append(_Slot(returned, withdrawn_for, grant, _between(d, "consent.return_at", withdrawn_at, as_of)))
    effective_late = d.chance("consent.late_effective", 0.5)
    late_at = np.where(
        effective_late,
        as_of + _days(d, "consent.late_at", 1 / 24, 30),
        as_of - _days(d, "consent.late_at", 1 / 24, 20),
    )
    late_recorded = np.where(effective_late, late_at, as_of + _days(d, "consent.late_recorded", 1 / 24, 10))
    slots.append(
        _Slot(
            active=d.chance("consent.late", 0.03),
            platform=d.below("consent.late_platform", len(PLATFORMS)),
            action=d.chance("consent.late_withdraw", 0.4).astype(np.int64),
            effective=late_at,
            recorded=late_recorded,
        )
    )
    stranger_at = as_of - _days(d, "consent.stranger_age", 1, 700)
    slots.append(_Slot(d.chance("consent.stranger", 0.002), np.zeros(len(d), np.int64), grant, stranger_at))
    return slots


def _lags(e: Draws, withdraw: np.ndarray) -> np.ndarray:
    """Seconds from when each event took effect to when it reached the ledger: mostly at once; grants sometimes
    hours or days later (batch and point-of-sale imports), withdrawals sometimes weeks later (letters, calls)."""
    now = e.below("consent.lag_seconds", 6)
    grant = np.choose(
        e.pick("consent.lag", (70.0, 20.0, 10.0)),
        [now, 60 + e.below("consent.lag_minutes", 7200), _days(e, "consent.lag_days", 1, 5)],
    )
    withdrawal = np.where(e.chance("consent.withdraw_delayed", 0.35), _days(e, "consent.withdraw_lag", 1, 45), now)
    return np.where(withdraw, withdrawal, grant)


def _gather(slots: list[_Slot], field: str, customer: np.ndarray, slot: np.ndarray) -> np.ndarray:
    """One field of the active events, in customer then slot order."""
    return np.stack([getattr(s, field) for s in slots], axis=1)[customer, slot]


def consent_table(seed: int, start: int, stop: int, n_customers: int, as_of: int) -> pa.Table:
    """The consent events of the customers with rows start..stop-1 (of n_customers), as_of in epoch seconds."""
    d = Draws.rows(seed, start, stop)
    slots = _slots(d, as_of)
    customer, slot = np.nonzero(np.stack([s.active for s in slots], axis=1))
    rows = d.index[customer].astype(np.int64)
    e = Draws.of(seed, rows * len(SLOTS) + slot)
    action = _gather(slots, "action", customer, slot)
    withdraw = action == ACTIONS.index("withdraw")
    effective = _gather(slots, "effective", customer, slot) + e.below("consent.second", 60)
    recorded = effective + _lags(e, withdraw)
    late = slot == SLOTS.index("late")
    recorded[late] = np.maximum(slots[SLOTS.index("late")].recorded[customer[late]], effective[late])
    narrowed = slot == SLOTS.index("narrowing")
    identifiers = np.where(
        narrowed, e.pick("consent.narrow_ids", _NARROWED_IDENTIFIERS), e.pick("consent.ids", _GRANT_IDENTIFIERS)
    )
    identifiers[withdraw] = IDENTIFIER_SETS.index(None)
    source = np.where(
        withdraw,
        len(GRANT_SOURCES) + e.pick("consent.withdraw_source", [w for _, w in WITHDRAW_SOURCES]),
        e.pick("consent.grant_source", [w for _, w in GRANT_SOURCES]),
    )
    notice = np.searchsorted(_NOTICE_STARTS, effective, side="right") - 1
    no_notice = withdraw | (notice < 0)
    stranger = slot == SLOTS.index("stranger")
    columns = [
        join("EV-", customer_ids(rows), "-", pc.cast(pa.array(slot), pa.string())),
        customer_ids(np.where(stranger, n_customers + rows, rows)),
        pa.array(PLATFORMS).take(pa.array(_gather(slots, "platform", customer, slot))),
        pa.array(ACTIONS).take(pa.array(action)),
        iso_timestamps(effective, e, "consent.effective_at"),
        iso_timestamps(recorded, e, "consent.recorded_at"),
        pa.array(IDENTIFIER_SETS, pa.string()).take(pa.array(identifiers)),
        _SOURCES.take(pa.array(source)),
        fixed_width_strings(hex_matrix(e.random_bytes("consent.record_id", 8))),
        _NOTICES.take(pa.array(np.maximum(notice, 0), mask=no_notice)),
    ]
    return pa.Table.from_arrays(columns, schema=CONSENT_SCHEMA)
