"""Writing baton's report files: atomically, and never through a link the change placed.

The reviewed change decides what the checkout holds, `.baton/` included. A symbolic link
there would send a report over any file the job may write (a shell profile, another
project's files on a shared runner). So the CI reports folder must be a real folder, and
every report replaces whatever its path holds: the text goes to a new file beside it, which
is then renamed into place. A link at the path is replaced, never followed, and a report is
never left half written. Streams (`--json /dev/stdout`) are written as they are.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from baton.errors import UsageError

REPORT_MODE = 0o644
"""Reports are read by later steps and artifact uploads, which may run as other users."""


def reports_folder(folder: Path) -> Path:
    """`folder` as a real folder that git ignores, made if missing; anything else at that
    path (a link, a file) is a usage error, since a change may have put it there."""
    try:
        mode = folder.lstat().st_mode
    except FileNotFoundError:
        try:
            folder.mkdir()
        except OSError as err:
            raise UsageError(f"cannot create {folder}: {err.strerror or err}") from err
    else:
        if not stat.S_ISDIR(mode):  # lstat: a link to a folder is a link
            kind = "a symbolic link" if stat.S_ISLNK(mode) else "not a folder"
            raise UsageError(
                f"{folder} is {kind}: baton writes its reports only into a folder of its own, "
                "so a change cannot choose where they go"
            )
    write_report(folder / ".gitignore", "*\n")
    return folder


def write_report(path: Path, text: str) -> None:
    """Put `text` at `path` in one rename, replacing (not following) whatever is there; a
    path that leads to a stream (`/dev/stdout`, a named pipe) is written as it is."""
    if _is_stream(path):
        try:
            with path.open("w", encoding="utf-8") as out:
                out.write(text)
        except OSError as err:
            raise UsageError(f"cannot write {path}: {err.strerror or err}") from err
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except OSError as err:
        raise UsageError(f"cannot write {path}: {err.strerror or err}") from err
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temporary, REPORT_MODE)
        os.replace(temporary, path)
    except OSError as err:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise UsageError(f"cannot write {path}: {err.strerror or err}") from err


def _is_stream(path: Path) -> bool:
    """A path of the system's (`/dev/stdout`, `/proc/self/fd/3`) or a character device, pipe
    or socket: nothing a change can commit, and not a file to replace."""
    if path.absolute().parts[1:2] in (("dev",), ("proc",)):
        return True
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)
