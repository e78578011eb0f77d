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
class Verification:
    """Every check over one workspace (or one run of it), with the consent ledger head it was run against."""

    generated_at: str
    runs: tuple[str, ...]
    ledger_head_seq: int | None
    ledger_head_hash: str | None
    results: tuple[CheckResult, ...]

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)

    @property
    def failed(self) -> tuple[CheckResult, ...]:
        return tuple(r for r in self.results if not r.passed)
