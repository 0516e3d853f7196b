"""The same inputs give the same bytes: in another folder, another time zone,
at another time; the files' dates come from the data, never the clock."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfparser import PDFParser

from generator.build.pipeline import BuildResult
from generator.dataset.load import load_sources
from generator.dataset.validate import validate
from tests.conftest import WUSHUI, docx_xml

SHIFT_DAYS = 1000
# Runs gongwen with Python's clock moved SHIFT_DAYS ahead (zipfile and most
# libraries read it through the time module) and says what time it saw.
# faketime, when installed, moves the C library's clock too (datetime.now()).
SHIFTED_CLOCK = f"""
import sys, time
_time, _time_ns, _localtime, _gmtime = time.time, time.time_ns, time.localtime, time.gmtime
SHIFT = 86400 * {SHIFT_DAYS}
time.time = lambda: _time() + SHIFT
time.time_ns = lambda: _time_ns() + SHIFT * 10**9
time.localtime = lambda s=None: _localtime(time.time() if s is None else s)
time.gmtime = lambda s=None: _gmtime(time.time() if s is None else s)
import datetime
print("CLOCK", datetime.datetime.now().timestamp(), time.time(), file=sys.stderr)
from generator.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_build_elsewhere_in_another_time_zone_and_time_is_byte_identical(
    wushui_build: BuildResult, tmp_path: Path
) -> None:
    zone = "Pacific/Kiritimati" if os.environ.get("TZ") != "Pacific/Kiritimati" else "Etc/GMT+12"
    out = tmp_path / "另一处" / "out"
    command = [sys.executable, "-c", SHIFTED_CLOCK, "build", str(WUSHUI), "--out", str(out)]
    if shutil.which("faketime"):
        command = ["faketime", "-f", f"+{SHIFT_DAYS + 1}d", *command]
    env = {**os.environ, "TZ": zone}
    result = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr

    clock_line = next(line for line in result.stderr.splitlines() if line.startswith("CLOCK"))
    shifted = max(float(value) for value in clock_line.split()[1:])
    assert shifted > time.time() + 86400 * (SHIFT_DAYS - 1)  # the clock really was elsewhere
    for file in wushui_build.files:
        assert _sha256(out / file.path) == file.sha256, file.path
    assert (out / "manifest.json").read_bytes() == (
        wushui_build.out_dir / "manifest.json"
    ).read_bytes()


def test_the_files_are_dated_by_the_notice_not_the_clock(wushui_build: BuildResult) -> None:
    issued = validate(load_sources(WUSHUI)).document.issued
    assert issued is not None
    by_format = {f.format: wushui_build.out_dir / f.path for f in wushui_build.files}
    with by_format["pdf"].open("rb") as handle:
        (info,) = PDFDocument(PDFParser(handle)).info
    pdf_date = f"D:{issued:%Y%m%d}".encode()
    assert info["CreationDate"] == info["ModDate"] == pdf_date

    core = docx_xml(by_format["docx"], "docProps/core.xml")
    terms = "{http://purl.org/dc/terms/}"
    for name in ("created", "modified"):
        element = core.find(f"{terms}{name}")
        assert element is not None and element.text == f"{issued.isoformat()}T00:00:00Z"
