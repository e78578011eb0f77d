"""The ledger's vocabulary: closed sets, the records the ledger holds and the results its functions return."""

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from audience.identifiers.rules import IDENTIFIER_OF_KIND, PLATFORMS, Identifier, Platform

__all__ = [
    "ACTIONS", "ALL_PLATFORMS", "IDENTIFIERS", "PLATFORMS", "SUPPRESSION_KINDS", "Action", "ChainBreak",
    "ConsentEvent", "CustomerKey", "Decision", "Eligibility", "HistoryEntry", "Identifier", "ImportReport",
    "LedgerKind", "Platform", "Rejection", "Scope", "Suppression", "SuppressionKind", "Verification",
    "WithheldColumn",
]

ALL_PLATFORMS: Literal["*"] = "*"
"""The `platform` of an event that applies to every platform."""

Scope = Literal["google", "meta", "tiktok", "*"]
Action = Literal["grant", "withdraw"]
SuppressionKind = Literal["objection", "erasure", "minor", "account_closed"]
LedgerKind = Literal["events", "suppressions"]

ACTIONS: tuple[Action, ...] = ("grant", "withdraw")
SUPPRESSION_KINDS: tuple[SuppressionKind, ...] = ("objection", "erasure", "minor", "account_closed")
IDENTIFIERS: tuple[Identifier, ...] = tuple(sorted(IDENTIFIER_OF_KIND.values()))
"""Every identifier type, sorted: what a grant covers when it names none."""
UNUSABLE_ID = ("holds a control or invisible character (a tab, line break, NUL or zero-width space), so it would "
               "match no customer; write the id as the customers file has it")
"""Why a customer_id of a consent or suppressions row is not taken."""
UNUSABLE_ID_PATTERN = r"[\x00-\x1F\x7F-\x9F\x{200B}-\x{200F}\x{2028}-\x{202E}\x{2060}-\x{2064}\x{FEFF}]"
"""An RE2 class of the characters no customer_id is written with: control characters (NUL, tab, line breaks, ...) and
invisible ones (zero-width space, direction marks, byte-order mark). An id holding one matches no other file's."""


@dataclass(frozen=True, slots=True)
class ConsentEvent:
    """One act of a person: a grant or a withdrawal for one platform or for all (`*`)."""

    event_id: str
    customer_id: str
    platform: Scope
    action: Action
    effective_at: datetime
    recorded_at: datetime
    identifiers: tuple[Identifier, ...] = IDENTIFIERS


@dataclass(frozen=True, slots=True)
class Suppression:
    """A person who must never be exported, named by customer id and/or keyed hashes of their email and phone."""

    kind: SuppressionKind
    effective_at: datetime
    recorded_at: datetime
    customer_id: str | None = None
    email_hmac: str | None = None
    phone_hmac: str | None = None


@dataclass(frozen=True, slots=True)
class CustomerKey:
    """A customer's keyed email and phone hashes, which suppressions given by email or phone match against."""

    customer_id: str
    email_hmac: str | None = None
    phone_hmac: str | None = None


@dataclass(frozen=True, slots=True)
class Eligibility:
    """One customer who may be exported to one platform, with what the deciding grant covers."""

    platform: Platform
    customer_id: str
    identifiers: tuple[Identifier, ...]
    event_id: str


@dataclass(frozen=True, slots=True)
class Decision:
    """Whether one customer may be exported to one platform as of a moment, and why."""

    platform: Platform
    eligible: bool
    reason: str
    event_id: str | None = None
    """The deciding event (the latest counting one), if any."""
    identifiers: tuple[Identifier, ...] = ()
    """The identifier types that may be exported; empty unless eligible."""


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One ledger row that concerns a customer, as `consent status` lists it."""

    seq: int
    effective_at: datetime
    recorded_at: datetime
    what: str
    """`grant`, `withdraw`, or the kind of a suppression."""
    platform: Scope
    event_id: str | None
    identifiers: tuple[Identifier, ...]
    matched_by: Literal["customer_id", "email", "phone"]


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why one input row, or one field of a row that was kept, was not taken; never the value."""

    row: int
    """1-based data-row number in the file."""
    column: str
    reason: str
    row_kept: bool = False
    """True when only this field was dropped and the row was imported on its other fields."""


@dataclass(frozen=True, slots=True)
class WithheldColumn:
    """A column outside the contract that was not kept because it holds identifiers; never its values."""

    column: str
    """The name as the file spells it, or `?` when the name itself does not look like a column name."""
    reason: str


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What one import did with a file."""

    batch_id: int
    kind: LedgerKind
    file_sha256: str
    rows: int
    accepted: int
    duplicates: int
    rejected: int
    """Rows not imported at all."""
    rejections: tuple[Rejection, ...]
    """The first rejections by row (all of them are in the `import_rejection` table)."""
    rejections_total: int
    extra_columns: tuple[str, ...]
    """Columns of the file outside the contract, kept with each row as `extra`."""
    first_seq: int | None
    last_seq: int | None
    withheld_columns: tuple[WithheldColumn, ...] = ()
    """Columns of the file outside the contract that were not kept, because they hold identifiers."""


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """The first place where the ledger is not what its writer left."""

    seq: int
    what: str


@dataclass(frozen=True, slots=True)
class Verification:
    """The result of recomputing the sequence and hash chain."""

    rows: int
    head_seq: int
    head_hash: str
    broken: ChainBreak | None

    @property
    def intact(self) -> bool:
        """True when the sequence is gap-free from 1 and every hash recomputes."""
        return self.broken is None
