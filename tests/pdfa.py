"""PDF/A-2u checks that can run without veraPDF (which neither Debian nor PyPI
packages): the clauses of ISO 19005-2 a generator most often gets wrong."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lxml import etree
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import PDFStream, resolve1
from pdfminer.psparser import PSLiteral

RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
PDFAID = "{http://www.aiim.org/pdfa/ns/id/}"
XMP = "{http://ns.adobe.com/xap/1.0/}"


def _name(value: Any) -> str | None:
    value = resolve1(value)
    if not isinstance(value, PSLiteral):
        return None
    name = value.name
    return name.decode("latin-1") if isinstance(name, bytes) else name


def _objects(doc: PDFDocument) -> Iterator[Any]:
    seen: set[int] = set()
    for xref in doc.xrefs:
        for objid in xref.get_objids():
            if objid not in seen:
                seen.add(objid)
                yield doc.getobj(objid)


def xmp(doc: PDFDocument) -> dict[str, str]:
    """The XMP properties, attributes and elements alike, by local name."""
    found: dict[str, str] = {}
    stream = resolve1(doc.catalog.get("Metadata"))
    if not isinstance(stream, PDFStream):
        return found
    root = etree.fromstring(stream.get_data())
    for description in root.iter(f"{RDF}Description"):
        for key, value in description.attrib.items():
            found[key] = value
        for child in description:
            found[child.tag] = "".join(child.itertext()).strip()
    return found


def _font_problems(font: dict[str, Any]) -> list[str]:
    problems = []
    name = _name(font.get("BaseFont")) or "?"
    subtype = _name(font.get("Subtype"))
    if subtype in ("CIDFontType0", "CIDFontType2"):
        return []  # a Type0 font's descendant: checked with its parent
    if subtype == "Type3":
        return [f"{name}: Type3 font"]
    if "ToUnicode" not in font:
        problems.append(f"{name}: no ToUnicode (level u needs every glyph's Unicode)")
    target = font
    if subtype == "Type0":
        target = resolve1(resolve1(font["DescendantFonts"])[0])
    descriptor = resolve1(target.get("FontDescriptor"))
    if not isinstance(descriptor, dict) or not any(
        key in descriptor for key in ("FontFile", "FontFile2", "FontFile3")
    ):
        problems.append(f"{name}: not embedded")
    return problems


def pdfa_2u_problems(path: Path) -> list[str]:
    """Everything found against PDF/A-2u; empty when it conforms on these points."""
    problems: list[str] = []
    data = path.read_bytes()
    header, comment = data.split(b"\n")[:2]
    if header not in (b"%PDF-1.7", b"%PDF-1.6", b"%PDF-1.5", b"%PDF-1.4"):
        problems.append(f"header {header!r}")
    if not (comment.startswith(b"%") and sum(b > 127 for b in comment[1:5]) == 4):
        problems.append("no binary comment after the header (6.1.2)")
    with path.open("rb") as handle:
        doc = PDFDocument(PDFParser(handle))
        trailers = [xref.get_trailer() for xref in doc.xrefs]
        if any("Encrypt" in t for t in trailers) or doc.encryption:
            problems.append("encrypted (6.1.3)")
        if not any("ID" in t for t in trailers):
            problems.append("no file identifier in the trailer (6.1.3)")
        properties = xmp(doc)
        if properties.get(f"{PDFAID}part") != "2" or properties.get(f"{PDFAID}conformance") != "U":
            problems.append("XMP pdfaid:part/conformance is not 2/U (6.6.4)")
        intents = [resolve1(i) for i in resolve1(doc.catalog.get("OutputIntents", []))]
        pdfa = [i for i in intents if _name(i.get("S")) == "GTS_PDFA1"]
        if len(pdfa) != 1:
            problems.append("not exactly one GTS_PDFA1 OutputIntent (6.2.3)")
        else:
            profile = resolve1(pdfa[0].get("DestOutputProfile"))
            icc = profile.get_data() if isinstance(profile, PDFStream) else b""
            if icc[36:40] != b"acsp" or profile.get("N") not in (1, 3, 4):
                problems.append("OutputIntent has no embedded ICC profile (6.2.3)")
        if "Names" in doc.catalog and "EmbeddedFiles" in resolve1(doc.catalog["Names"]):
            problems.append("embedded files (6.8, part 2 allows only PDF/A ones)")
        for obj in _objects(doc):
            attrs = obj.attrs if isinstance(obj, PDFStream) else obj
            if not isinstance(attrs, dict):
                continue
            if _name(attrs.get("Type")) == "Font" and not isinstance(obj, PDFStream):
                problems.extend(_font_problems(attrs))
            if attrs.get("Interpolate") is True:
                problems.append("image with Interpolate true (6.2.8)")
            if _name(attrs.get("S")) == "JavaScript":
                problems.append("JavaScript (6.6.1)")
    return problems
