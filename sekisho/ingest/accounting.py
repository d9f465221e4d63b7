"""What a file's account must say after a scan, beyond its counts.

* A format chosen by auto-detection from the first lines that then refuses part of the file says
  so, and names the share it could not read (a file can begin like one format and go on as
  another: a shared syslog file, two logs concatenated, a different product's lines).
* A format the user forced (``--format``) that matches no line of a file is an error, not a silent
  zero: the user asked for something the file is not.

Recognised lines that carry no record are *skipped* with their reasons (``skipped_reasons``); only
lines no rule recognises are *malformed*.
"""

from __future__ import annotations

from sekisho.errors import InputError, Location
from sekisho.ingest.duckdb_engine import FileAccount

# Reasons that say nothing about the format: a blank line is blank in every format.
_NEUTRAL = {"blank line"}


def judge(account: FileAccount, forced: bool, display: str) -> None:
    """Add the note of a partial detection to ``account``, or raise for a forced format that
    matched nothing."""
    if account.lines == 0:
        return
    recognised = account.parsed + sum(n for r, n in account.skipped_reasons.items() if r not in _NEUTRAL)
    if forced and recognised == 0 and account.malformed > 0:
        sample = account.malformed_samples[0] if account.malformed_samples else None
        where = Location(display, int(sample["line"])) if sample else Location(display)
        raise InputError(
            f"--format {account.format} matches no line of this file ({account.malformed} malformed of "
            f"{account.lines}); leave --format out to detect the format, or choose another",
            where,
        )
    if not forced and account.malformed:
        share = account.malformed / account.lines
        note = (
            f"detected as {account.format} from its first lines, but {account.malformed} of "
            f"{account.lines} lines ({share:.1%}) could not be read as {account.format}"
        )
        account.note = f"{account.note}; {note}" if account.note else note
