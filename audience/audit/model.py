"""What an audit reports: one result per named check, and the whole verification."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of one named check: how much it looked at, how much failed, and a few examples (customer ids,
    hash prefixes, file paths; never an identifier)."""

    name: str
    property: str
    checked: int
    failed: int
    examples: tuple[str, ...] = ()
    note: str = ""

    @property
    def passed(self) -> bool:
        return self.failed == 0


@dataclass(frozen=True, slots=True)
class LateAct:
    """A withdrawal or suppression effective by a run's as-of time that the run could not count, since it reached
    the ledger after the run; customer id and times only."""

    run_id: str
    customer_id: str
    platform: str
    seq: int
    act: str
    """`withdraw (<platform or *>)`, or the suppression's kind."""
    effective_at: str
    recorded_at: str
    imported_at: str
    lag: str
    """recorded_at - effective_at."""
    back_dated: bool
    """Recorded (so it says) by the run's as-of time, yet not in the ledger the run saw."""
    seen_by: str | None
    """The first successful run whose ledger held it (None: no run since)."""
    still_held: bool
    """Whether that run still left the customer's values on the platform (a later grant, say)."""

    @property
    def outcome(self) -> str:
        if self.seen_by is None:
            return "no run since"
        return f"{'still held by' if self.still_held else 'removed by'} {self.seen_by}"


@dataclass(frozen=True, slots=True)
class Verification:
    """Every check over one workspace (or one run of it), with the consent ledger head it was run against."""

    generated_at: str
    runs: tuple[str, ...]
    ledger_head_seq: int | None
    ledger_head_hash: str | None
    results: tuple[CheckResult, ...]
    late: tuple[LateAct, ...] = ()
    """Late acts of the runs checked: what each could not know, and which later run removed the values."""

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)

    @property
    def failed(self) -> tuple[CheckResult, ...]:
        return tuple(r for r in self.results if not r.passed)
