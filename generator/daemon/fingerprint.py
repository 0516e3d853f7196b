"""What a warm server must share with the command that calls it, or it would
build with other code: computed by the client on every call (a few
milliseconds of stat calls, no imports beyond the standard library's small
modules) and by the server when it starts, before and after its imports.

Data sets and templates are not in it: each build reads them afresh.
"""

from __future__ import annotations

import os
import sys

try:  # the built-in module: hashlib would load OpenSSL first, 8 ms of every command
    from _blake2 import blake2b
except ImportError:  # pragma: no cover (a Python built without it)
    from hashlib import blake2b

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Read once when a process starts (the interpreter, fontconfig, the locale of
# the standard streams): a server started under other values cannot take them on.
STARTUP_ENVIRONMENT_PREFIXES = ("PYTHON", "LC_", "FONTCONFIG_", "GONGWEN_")
STARTUP_ENVIRONMENT = ("LANG", "LANGUAGE", "HOME", "TZ", "XDG_CONFIG_HOME", "XDG_DATA_HOME")
FONT_CONFIGURATION = ("/etc/fonts",)
FONT_FOLDERS = ("/usr/share/fonts", "/usr/local/share/fonts")
# Runtime settings of the daemon itself, not of a build.
NOT_STARTUP = ("GONGWEN_NO_DAEMON", "GONGWEN_RUNTIME_DIR", "GONGWEN_DAEMON_IDLE")


def _stat_line(path: str) -> str:
    try:
        stat = os.stat(path)
    except OSError:
        return f"{path} -"
    return f"{path} {stat.st_size} {stat.st_mtime_ns} {stat.st_ino}"


def _files(root: str, skip: str = "__pycache__") -> Iterator[str]:
    """Every file below root with its size and times, in a stable order."""
    for folder, folders, names in os.walk(root):
        folders[:] = sorted(f for f in folders if f != skip)
        for name in sorted(names):
            yield _stat_line(os.path.join(folder, name))


def _folders(root: str) -> Iterator[str]:
    """Every folder below root with its times: a font added or removed changes
    its folder's mtime (fontconfig rescans on the same sign)."""
    for folder, folders, _ in os.walk(root):
        folders.sort()
        yield _stat_line(folder)


def _site_packages() -> Iterator[str]:
    """The installed distributions (their .dist-info folders, with times: a
    reinstall of the same version makes a new folder) and the .pth files."""
    for entry in sys.path:
        if not entry.endswith("-packages") or not os.path.isdir(entry):
            continue
        for name in sorted(os.listdir(entry)):
            if name.endswith((".dist-info", ".pth", ".egg-link")):
                yield _stat_line(os.path.join(entry, name))


def startup_environment(environ: dict[str, str] | os._Environ[str]) -> list[str]:
    return sorted(
        f"{key}={value}"
        for key, value in environ.items()
        if key not in NOT_STARTUP
        and (key in STARTUP_ENVIRONMENT or key.startswith(STARTUP_ENVIRONMENT_PREFIXES))
    )


def fingerprint() -> str:
    """A digest of everything a build's code depends on, as this process sees it now."""
    home = os.path.expanduser("~")
    config = os.environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    data = os.environ.get("XDG_DATA_HOME") or os.path.join(home, ".local", "share")
    lines = [
        sys.version,
        repr(sys.flags),
        _stat_line(os.path.realpath(sys.executable)),
        sys.prefix,
        PACKAGE,
        *_files(PACKAGE),
        *_site_packages(),
        *startup_environment(os.environ),
    ]
    for root in (*FONT_CONFIGURATION, os.path.join(config, "fontconfig")):
        lines.extend(_files(root))
    font_folders = (*FONT_FOLDERS, os.path.join(data, "fonts"), os.path.join(home, ".fonts"))
    for root in font_folders:
        lines.extend(_folders(root))
    return digest("\n".join(lines).encode("utf-8", "surrogateescape"))


def digest(data: bytes) -> str:
    return blake2b(data, digest_size=32).hexdigest()
