"""WeasyPrint imported with a fast shared-library lookup, without fontTools'
subsetter.

WeasyPrint (weasyprint/text/ffi.py) tries several names for each library, the
Windows and macOS ones first; cffi hands every name it cannot open directly to
ctypes.util.find_library, which on Linux runs `ldconfig -p`, then gcc and ld,
as subprocesses: about 20 of them, a quarter of a second of every `gongwen
build`. On Linux the list always holds the library's soname (e.g.
libpango-1.0.so.0), which the dynamic loader opens directly, so find_library is
made to answer "not found" while WeasyPrint is imported: the same libraries are
loaded, without the subprocesses.

WeasyPrint also imports fontTools' subsetter (a tenth of a second), which it
uses only where HarfBuzz's is missing: it is made a lazy module, loaded when
first used.

This package's __init__.py calls import_weasyprint(), so every module of the
package, and the PDF writer through them, gets WeasyPrint this way.
"""

from __future__ import annotations

import ctypes.util
import importlib
import importlib.util
import sys


def import_weasyprint() -> None:
    if "weasyprint" in sys.modules or not sys.platform.startswith("linux"):
        return
    original = ctypes.util.find_library

    def not_found(name: str) -> str | None:
        return None

    _lazy("fontTools.subset")
    ctypes.util.find_library = not_found
    try:
        import weasyprint  # noqa: F401
    except OSError:  # a library known by another name only: the usual lookup
        for name in [n for n in sys.modules if n == "weasyprint" or n.startswith("weasyprint.")]:
            del sys.modules[name]
    finally:
        ctypes.util.find_library = original


def _lazy(name: str) -> None:
    """Put module name in sys.modules, to be loaded when first used."""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        return
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    # Bound in its package, so that `from package import module` takes it as
    # it is: importing it by name again would read its __spec__ and load it.
    package, _, attribute = name.rpartition(".")
    setattr(importlib.import_module(package), attribute, module)
