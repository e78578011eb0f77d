"""What every platform writer shares: the writer protocol, the checked members table and whole-column helpers."""

import functools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any, Literal, Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from audience.errors import InputError
from audience.export import ExportFile, FileIdentifier, Op, link_atomic, sync_directory, write_atomic

__all__ = [
    "SHA256_WIDTH",
    "ExportFile",
    "FileIdentifier",
    "IdTypeSpec",
    "Lines",
    "Members",
    "Op",
    "PlatformWriter",
    "Target",
    "batch_ranges",
    "check_members",
    "customer_rows",
    "choose",
    "concat",
    "int_option",
    "text_option",
    "value_matrix",
    "values_at",
]

Identifier = Literal["email", "phone", "device_id"]
ValueForm = Literal["sha256", "maid"]

MEMBER_COLUMNS = ("customer_id", "identifier", "id_type", "value")
SHA256_WIDTH = 64
MAID_WIDTH = 36
MAID_HYPHENS = (8, 13, 18, 23)
AUDIENCE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
_FORM_TEXT = {
    "sha256": "a lowercase SHA-256 hex string (64 characters 0-9a-f)",
    "maid": "a canonical mobile advertising ID (lowercase hyphenated UUID, 36 characters)",
}
_PATTERNS: dict[ValueForm, str] = {
    "sha256": "^[0-9a-f]{64}$",
    "maid": "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
}
_ALLOWED: dict[ValueForm, tuple[tuple[int, int], ...]] = {
    "sha256": ((ord("0"), ord("9")), (ord("a"), ord("f"))),
    "maid": ((ord("0"), ord("9")), (ord("a"), ord("f")), (ord("-"), ord("-"))),
}
"""The byte ranges (inclusive) each form's characters fall in."""
_TEXT = pa.large_string()
_BLOCK = 1 << 22


class PlatformWriter(Protocol):
    """Turns one (audience, op) membership of a platform into that platform's upload files."""

    name: str
    min_audience: int
    """Smallest audience the platform serves (default; the configuration may override it)."""
    small_removals: str
    """What to do with the removal files of an audience held back below the minimum, when the platform may refuse
    them (empty when it takes them)."""

    def write(
        self, members: pa.Table, *, audience: str, op: Op, run_dir: Path, options: Mapping[str, Any]
    ) -> list[ExportFile]:
        """Write the files for `members` under `<run_dir>/<platform>/<audience>/<op>/` and describe them.

        `members` has the columns customer_id, identifier, id_type and value (exactly what the platform
        receives). An empty table writes no files and returns an empty list.

        Raises:
            InputError: a column is missing, a row is unusable (named by row number), or an option is invalid.
        """
        ...

    def placeholders(self, *, audience: str, options: Mapping[str, Any]) -> tuple[str, ...]:
        """The options (`<platform>.<key>`) an audience's files need but `options` leaves unset, so that the files
        carry a placeholder in their place for the user to fill in before uploading."""
        ...

    def destinations(self, *, audience: str, options: Mapping[str, Any]) -> dict[str, str | None]:
        """The options (`<platform>.<key>`) that say where an audience's files go on the platform, with their values
        (None when unset); empty when the files do not name their destination."""
        ...


@dataclass(frozen=True, slots=True)
class IdTypeSpec:
    """What a platform's id_type stands for and what its `value` must look like."""

    identifier: Identifier
    form: ValueForm


@dataclass(frozen=True, slots=True)
class Members:
    """A checked members table: the customer and value columns, and the rows of each id_type."""

    customer_id: pa.Array
    value: pa.Array
    rows: dict[str, np.ndarray]
    """0-based row numbers in the input, ascending."""
    forms: dict[str, ValueForm]

    def __len__(self) -> int:
        return len(self.customer_id)


@dataclass(frozen=True, slots=True)
class Target:
    """The folder one (platform, audience, op) is written to, relative to the run directory."""

    run_dir: Path
    platform: str
    audience: str
    op: Op

    @classmethod
    def of(cls, run_dir: Path, platform: str, audience: str, op: Op) -> "Target":
        """The target for an audience, refusing names that are not safe as a folder name."""
        if not AUDIENCE_NAME.fullmatch(audience):
            raise InputError(
                f"Audience name {audience!r} cannot be used as a folder name; use up to 100 letters, digits, "
                "'-', '_' or '.', starting with a letter or digit."
            )
        if op not in ("full", "add", "remove"):
            raise InputError(f"Unknown op {op!r}; use full, add or remove.")
        return cls(run_dir, platform, audience, op)

    @property
    def folder(self) -> PurePosixPath:
        return PurePosixPath(self.platform, self.audience, self.op)

    def write(
        self, name: str, chunks: Iterable[bytes | memoryview], *, identifier: FileIdentifier, rows: int
    ) -> ExportFile:
        """Write one file atomically into the folder and return its manifest entry."""
        relative = self.folder / name
        _, sha256 = write_atomic(self.run_dir.joinpath(*relative.parts), chunks, sync_dir=False)
        return ExportFile(relative.as_posix(), self.platform, self.audience, self.op, identifier, rows, sha256)

    def link(self, source: ExportFile) -> ExportFile:
        """The file `source` (another folder's, same run), byte for byte in this folder; its manifest entry."""
        relative = self.folder / PurePosixPath(source.path).name
        link_atomic(self.run_dir / source.path, self.run_dir.joinpath(*relative.parts))
        return replace(source, path=relative.as_posix(), platform=self.platform, audience=self.audience, op=self.op)

    def finish(self, files: list[ExportFile]) -> list[ExportFile]:
        """Remove files in the folder that this write did not produce (left by an earlier attempt), flush the
        folder's entries to disk, and return `files` sorted by path."""
        folder = self.run_dir.joinpath(*self.folder.parts)
        keep = {PurePosixPath(f.path).name for f in files}
        if folder.is_dir():
            for stale in folder.iterdir():
                if stale.is_file() and stale.name not in keep:
                    stale.unlink()
            sync_directory(folder)
        return sorted(files, key=lambda f: f.path)


class Lines:
    """Text lines held in one Arrow buffer; a run of consecutive lines comes out as one slice of bytes."""

    def __init__(self, lines: pa.Array | pa.ChunkedArray) -> None:
        array = lines.cast(_TEXT)
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
        if array.null_count:
            raise ValueError("lines must not be null")
        self._offsets = _offsets(array)
        self._data = array.buffers()[2] if len(array) else pa.py_buffer(b"")

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def span(self, start: int, stop: int, *, trim: int = 0) -> memoryview:
        """Lines start..stop-1 as one view of their bytes, less the last `trim` bytes."""
        first = int(self._offsets[start])
        end = int(self._offsets[stop]) - trim
        return memoryview(self._data.slice(first, end - first))

    def chunks(self, *, head: bytes = b"", size: int = 100_000) -> Iterator[bytes | memoryview]:
        """`head`, then every line, in pieces of at most `size` lines (a text file's contents)."""
        yield head
        for start, stop in batch_ranges(len(self), size):
            yield self.span(start, stop)


def check_members(members: pa.Table, id_types: Mapping[str, IdTypeSpec]) -> Members:
    """Check a members table's columns, id_types and identifiers against a platform, and split it by id_type.

    Values are checked as they are taken out (`values_at`).

    Raises:
        InputError: a required column is missing or not text, or a row (named by its 1-based number, never by
            its value) has a null, an id_type the platform does not take, or an identifier not matching its id_type.
    """
    missing = [c for c in MEMBER_COLUMNS if c not in members.column_names]
    if missing:
        raise InputError(
            f"The members table is missing column(s) {', '.join(missing)}; "
            f"pass {', '.join(MEMBER_COLUMNS)} (one row per customer and identifier)."
        )
    for name in MEMBER_COLUMNS:
        column = members.column(name)
        if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
            raise InputError(f"Members column {name} must hold text; it holds {column.type}.")
        if column.null_count:
            row = int(np.flatnonzero(column.is_null().to_numpy())[0]) + 1
            raise InputError(f"Members row {row}, column {name}: empty; every member row needs all four columns.")
    type_codes, id_type_names = _codes(members.column("id_type"))
    identifier_codes, identifier_names = _codes(members.column("identifier"))
    rows = {}
    for code, id_type in enumerate(id_type_names):
        at = np.flatnonzero(type_codes == code)
        spec = id_types.get(id_type)
        if spec is None:
            raise InputError(
                f"Members row {int(at[0]) + 1}, column id_type: {id_type!r} is not one this platform takes; "
                f"use one of {', '.join(sorted(id_types))}."
            )
        expected = identifier_names.index(spec.identifier) if spec.identifier in identifier_names else -1
        wrong = np.flatnonzero(identifier_codes[at] != expected)
        if len(wrong):
            raise InputError(
                f"Members row {int(at[wrong[0]]) + 1}, column identifier: does not match id_type {id_type} "
                f"(expected {spec.identifier}); pass the identifier core's rows unchanged."
            )
        rows[id_type] = at
    forms = {id_type: spec.form for id_type, spec in id_types.items()}
    columns = (members.column("customer_id").combine_chunks(), members.column("value").combine_chunks())
    return Members(*columns, rows, forms)


def customer_rows(members: Members, id_types: Sequence[str]) -> dict[str, np.ndarray]:
    """For every customer, sorted by customer_id: the input row holding its value of each id_type, or -1.

    Raises:
        InputError: a customer has two values of one id_type (the rows are named).
    """
    position, customers = _customer_positions(members.customer_id)
    found = {}
    for id_type in id_types:
        rows = members.rows.get(id_type, np.empty(0, dtype=np.int64))
        where = position[rows]
        counts = np.bincount(where, minlength=customers)
        if len(rows) and counts.max() > 1:
            twice = rows[where == int(np.flatnonzero(counts > 1)[0])][:2] + 1
            raise InputError(
                f"Members rows {twice[0]} and {twice[1]} hold two {id_type} values for one customer; "
                "pass at most one value per customer and identifier."
            )
        slot = np.full(customers, -1, dtype=np.int64)
        slot[where] = rows
        found[id_type] = slot
    return found


def values_at(members: Members, id_type: str, rows: np.ndarray) -> pa.LargeStringArray:
    """The values at the given input rows (null where a row is -1), checked against the form the id_type needs.

    Raises:
        InputError: a value is not in that form (its row is named, never its value).
    """
    values = members.value.take(pa.array(rows, mask=rows < 0)).cast(_TEXT)
    form = members.forms[id_type]
    width = SHA256_WIDTH if form == "sha256" else MAID_WIDTH
    present = rows >= 0
    wrong_length = (np.diff(_offsets(values)) != width) & present
    if wrong_length.any() or not _well_formed(values, form, width):
        bad = (wrong_length | _bad_rows(values, form)) & present
        row = int(rows[np.flatnonzero(bad)[0]]) + 1
        raise InputError(
            f"Members row {row}, column value: not {_FORM_TEXT[form]} as id_type {id_type} needs; "
            "pass the identifier core's platform value unchanged."
        )
    return values


def value_matrix(values: pa.Array, width: int) -> np.ndarray:
    """Values that are all `width` bytes long, as an (n, width) uint8 view of their bytes."""
    offsets = _offsets(values)
    if len(values) == 0:
        return np.empty((0, width), dtype=np.uint8)
    if np.any(np.diff(offsets) != width):
        raise ValueError(f"values are not all {width} bytes long")
    data = np.frombuffer(values.buffers()[2], dtype=np.uint8)
    return data[offsets[0] : offsets[-1]].reshape(len(values), width)


def concat(*parts: pa.Array | str) -> pa.Array:
    """Element-wise concatenation of string columns and constants; a null counts as an empty string."""
    columns = [pa.scalar(p, _TEXT) if isinstance(p, str) else p for p in parts]
    return pc.binary_join_element_wise(*columns, pa.scalar("", _TEXT), null_handling="replace", null_replacement="")


def choose(mask: pa.Array, yes: str, no: str) -> pa.Array:
    """Per row, the text `yes` where `mask` is true and `no` where it is false."""
    return pc.if_else(mask, pa.scalar(yes, _TEXT), pa.scalar(no, _TEXT))


def batch_ranges(count: int, size: int) -> Iterator[tuple[int, int]]:
    """Consecutive (start, stop) ranges covering `count` items, each at most `size` long."""
    for start in range(0, count, size):
        yield start, min(start + size, count)


def int_option(options: Mapping[str, Any], key: str, default: int, *, low: int, high: int) -> int:
    """An integer option within [low, high], or `default` when it is not set (absent or None)."""
    value = options.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InputError(f"Option {key} must be a whole number from {low} to {high}; got {value!r}.")
    return value


def text_option(options: Mapping[str, Any], key: str, default: str) -> str:
    """A non-empty text option (whole numbers are taken as their digits), or `default` when it is not set."""
    value = options.get(key)
    if value is None:
        return default
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"Option {key} must be non-empty text; got {value!r}.")
    return value.strip()


def _offsets(array: pa.Array) -> np.ndarray:
    kind = np.int64 if pa.types.is_large_string(array.type) else np.int32
    return np.frombuffer(array.buffers()[1], dtype=kind)[array.offset : array.offset + len(array) + 1]


def _customer_positions(customer_id: pa.Array) -> tuple[np.ndarray, int]:
    """Each row's customer, numbered in customer_id order; and the number of customers.

    Input sorted by customer_id (as the workspace hands it over) is numbered in one pass; any other order is
    hashed and its distinct customer ids sorted.
    """
    count = len(customer_id)
    if count > 1:
        before, after = customer_id.slice(0, count - 1), customer_id.slice(1)
        if pc.all(pc.less_equal(before, after)).as_py():
            starts = pc.not_equal(before, after).to_numpy(zero_copy_only=False)
            position = np.concatenate(([0], np.cumsum(starts, dtype=np.int64)))
            return position, int(position[-1]) + 1
    encoded = pc.dictionary_encode(customer_id)
    customers = encoded.dictionary
    rank = np.empty(len(customers), dtype=np.int64)
    rank[pc.sort_indices(customers).to_numpy()] = np.arange(len(customers))
    return rank[encoded.indices.to_numpy()], len(customers)


def _codes(column: pa.ChunkedArray) -> tuple[np.ndarray, list[str]]:
    encoded = pc.dictionary_encode(column.combine_chunks())
    return encoded.indices.to_numpy(), encoded.dictionary.to_pylist()


def _well_formed(values: pa.LargeStringArray, form: ValueForm, width: int) -> bool:
    """Whether values already known to be `width` long hold only the form's characters (hyphens where due)."""
    offsets = _offsets(values)
    if len(values) == 0 or offsets[-1] == offsets[0]:
        return True
    data = np.frombuffer(values.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    for start in range(0, len(data), _BLOCK):
        if not _within(data[start : start + _BLOCK], _ALLOWED[form]):
            return False
    if form == "maid":
        matrix = data.reshape(-1, width)
        hyphens = np.count_nonzero(data == ord("-"))
        return hyphens == len(MAID_HYPHENS) * len(matrix) and bool((matrix[:, list(MAID_HYPHENS)] == ord("-")).all())
    return True


def _within(block: np.ndarray, ranges: tuple[tuple[int, int], ...]) -> bool:
    """Whether every byte of `block` falls in one of `ranges` (a byte below a range's start wraps above its end)."""
    inside = ((block - np.uint8(low)) <= np.uint8(high - low) for low, high in ranges)
    return bool(functools.reduce(np.logical_or, inside).all())


def _bad_rows(values: pa.LargeStringArray, form: ValueForm) -> np.ndarray:
    """Per value: true where it is not in `form` (only called once a problem is known, to name the row)."""
    pattern = _PATTERNS[form]
    valid = pc.match_substring_regex(values, pattern)
    return ~pc.fill_null(valid, True).to_numpy(zero_copy_only=False)
