"""`audience hash`: normalise and hash raw values from standard input, one per line."""

import sys
from typing import Annotated, Literal

import pyarrow as pa
import typer

from audience.identifiers.columns import platform_column
from audience.identifiers.reference import is_region, region_problem
from audience.identifiers.rules import DEFAULT_REGION, RuleSet

HEADER = "status\tnormalized\tsha256\treason\n"
BATCH_LINES = 200_000


def _known_region(region: str) -> str:
    if not is_region(region):
        raise typer.BadParameter(region_problem(region))
    return region


def hash_command(
    platform: Annotated[Literal["google", "meta", "tiktok"], typer.Option(help="Platform whose rules apply.")],
    kind: Annotated[Literal["email", "phone", "maid"], typer.Option(help="What each line holds.")],
    region: Annotated[str, typer.Option(help="Region for national phone numbers (ISO 3166-1 alpha-2).",
                                        callback=_known_region)] = DEFAULT_REGION,
    tiktok_phone_plus: Annotated[bool, typer.Option(help="Keep the + of TikTok phone numbers.")] = False,
) -> None:
    """Read raw values (one per line) and write `status, normalized, sha256, reason` as tab-separated lines.

    Standard input and standard output are UTF-8 whatever the locale.

    Example: printf 'Jan.Kowalski@Gmail.com\\n' | audience hash --platform google --kind email
    """
    try:
        text = sys.stdin.buffer.read().decode("utf-8")
    except UnicodeDecodeError as e:
        typer.secho(f"Error: standard input is not UTF-8 (byte {e.start}); convert it, e.g. with iconv -t UTF-8",
                    err=True, fg="red")
        raise typer.Exit(code=1) from None
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    rules = RuleSet(default_region=DEFAULT_REGION, tiktok_phone_plus=tiktok_phone_plus)
    sys.stdout.flush()
    out = sys.stdout.buffer
    out.write(HEADER.encode("utf-8"))
    for start in range(0, len(lines), BATCH_LINES):
        batch = pa.array(lines[start:start + BATCH_LINES], pa.string())
        result = platform_column(kind, platform, batch, rules, region=region)
        columns = (result.column(c).to_pylist() for c in ("normalized", "sha256", "reason"))
        out.write("".join(f"ok\t{normalized}\t{sha}\t\n" if normalized is not None else f"reject\t\t\t{reason}\n"
                          for normalized, sha, reason in zip(*columns)).encode("utf-8"))
    out.flush()
