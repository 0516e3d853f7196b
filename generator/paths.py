"""Where the shared templates are: inside an installed wheel, or beside the
package in a source checkout. Never relative to the current directory."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def shared_templates() -> Path:
    bundled = _PACKAGE / "_templates"  # a wheel carries them here (pyproject force-include)
    if bundled.is_dir():
        return bundled
    return _PACKAGE.parent / "templates"
