"""The OFD package (GB/T 33190-2016, clause 7): a ZIP whose entry OFD.xml
points through DocBody/DocRoot to Doc_0/Document.xml, which lists the pages
(Pages/Page_N/Content.xml) and the resource files: PublicRes.xml for the fonts
(their files in Doc_0/Res/), DocumentRes.xml for pictures (a seal), each
stored once.

Deterministic: IDs numbered in order, entries sorted, every entry dated
1980-01-01 with the same permissions, the DocID derived from the content.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass

from fontTools.ttLib import TTFont
from lxml import etree

from generator.writers.ofd.content import NS, OFD, Ids, mm, page_content
from generator.writers.ofd.pdfpages import FontProgram, Glyph, PdfPage, RasterImage

DOC = "Doc_0"
RES = "Res"  # the resource files' folder, relative to Doc_0/
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Metadata:
    """What DocInfo records: title, author (the issuer), creation date, and
    custom entries (发文字号, 成文日期, …) in order."""

    title: str
    author: str
    date: str  # ISO 8601 date
    creator: str
    creator_version: str
    custom: tuple[tuple[str, str], ...] = ()


def _xml(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _element(tag: str, **attributes: str) -> etree._Element:
    return etree.Element(OFD + tag, attributes, nsmap={"ofd": NS})


class _Cmaps:
    """Which glyph each font's cmap gives a character and which one the PDF
    draws, to see where they differ (CGTransform). The PDF names a glyph by
    CID: in a CID-keyed CFF font the glyph called cidNNNNN (the same index
    when the subset kept glyph ids, as HarfBuzz's does for WeasyPrint), in a
    TrueType font (CIDToGIDMap Identity) the glyph id itself."""

    def __init__(self) -> None:
        self._fonts: dict[int, tuple[dict[int, str], dict[str, int]]] = {}

    def __call__(self, glyph: Glyph) -> tuple[int | None, int]:
        key = id(glyph.font)
        if key not in self._fonts:
            font = TTFont(io.BytesIO(glyph.font.data), lazy=True)
            order = font.getGlyphOrder()
            self._fonts[key] = (font.getBestCmap() or {}, {n: i for i, n in enumerate(order)})
        cmap, ids = self._fonts[key]
        drawn = ids.get(f"cid{glyph.cid:05d}", glyph.cid)
        if len(glyph.text) != 1 or ord(glyph.text) not in cmap:
            return None, drawn
        return ids.get(cmap[ord(glyph.text)]), drawn


def _font_element(font: FontProgram, font_id: str, file_name: str) -> etree._Element:
    element = etree.Element(OFD + "Font", ID=font_id, FontName=font.name)
    family = font.name.split("-")[0]
    element.set("FamilyName", family)
    if "Bold" in font.name:
        element.set("Bold", "true")
    if "Hei" in font.name or "Sans" in font.name:
        element.set("Serif", "false")
    else:
        element.set("Serif", "true")
    etree.SubElement(element, OFD + "FontFile").text = file_name
    return element


def _font_extension(data: bytes) -> str:
    return "otf" if data[:4] == b"OTTO" else "ttf"


def package(pages: list[PdfPage], metadata: Metadata) -> bytes:
    """The OFD file's bytes."""
    ids = Ids(0)
    files: dict[str, bytes] = {}

    fonts: dict[int, str] = {}
    public = _element("Res", BaseLoc=RES)
    fonts_element = etree.SubElement(public, OFD + "Fonts")
    for page in pages:
        for item in page.items:
            if isinstance(item, Glyph) and id(item.font) not in fonts:
                font_id = ids.next()
                fonts[id(item.font)] = font_id
                name = f"font_{font_id}.{_font_extension(item.font.data)}"
                files[f"{DOC}/{RES}/{name}"] = item.font.data
                fonts_element.append(_font_element(item.font, font_id, name))
    files[f"{DOC}/PublicRes.xml"] = _xml(public)

    media_ids: dict[bytes, str] = {}
    document_res = _element("Res", BaseLoc=RES)
    images = [i for page in pages for i in page.items if isinstance(i, RasterImage)]
    if images:
        medias = etree.SubElement(document_res, OFD + "MultiMedias")
        for image in images:
            if image.data in media_ids:
                continue
            media_id = media_ids[image.data] = ids.next()
            name = f"image_{media_id}.{'jpg' if image.format == 'JPEG' else 'png'}"
            files[f"{DOC}/{RES}/{name}"] = image.data
            element = etree.SubElement(
                medias, OFD + "MultiMedia", ID=media_id, Type="Image", Format=image.format
            )
            etree.SubElement(element, OFD + "MediaFile").text = name
    files[f"{DOC}/DocumentRes.xml"] = _xml(document_res)

    # The first page's size is the document's (A4 for ours).
    width = pages[0].width if pages else 595.2756
    height = pages[0].height if pages else 841.8898
    cmaps = _Cmaps()
    page_ids = []
    for index, page in enumerate(pages):
        page_ids.append(ids.next())
        root = page_content(page, fonts, cmaps, ids, media_ids, (width, height))
        files[f"{DOC}/Pages/Page_{index}/Content.xml"] = _xml(root)

    document = _element("Document")
    common = etree.SubElement(document, OFD + "CommonData")
    etree.SubElement(common, OFD + "MaxUnitID").text = str(ids.last)
    area = etree.SubElement(common, OFD + "PageArea")
    box = f"0 0 {mm(width * 25.4 / 72)} {mm(height * 25.4 / 72)}"
    etree.SubElement(area, OFD + "PhysicalBox").text = box
    etree.SubElement(common, OFD + "PublicRes").text = "PublicRes.xml"
    etree.SubElement(common, OFD + "DocumentRes").text = "DocumentRes.xml"
    pages = etree.SubElement(document, OFD + "Pages")
    for index, page_id in enumerate(page_ids):
        page_element = etree.SubElement(pages, OFD + "Page", ID=page_id)
        page_element.set("BaseLoc", f"Pages/Page_{index}/Content.xml")
    files[f"{DOC}/Document.xml"] = _xml(document)

    files["OFD.xml"] = _xml(_entry(metadata, files))
    return _zip(files)


def _entry(metadata: Metadata, files: dict[str, bytes]) -> etree._Element:
    """OFD.xml: the document's metadata and where its root is."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    root = _element("OFD", Version="1.0", DocType="OFD")
    body = etree.SubElement(root, OFD + "DocBody")
    info = etree.SubElement(body, OFD + "DocInfo")
    etree.SubElement(info, OFD + "DocID").text = digest.hexdigest()[:32]
    etree.SubElement(info, OFD + "Title").text = metadata.title
    etree.SubElement(info, OFD + "Author").text = metadata.author
    etree.SubElement(info, OFD + "CreationDate").text = metadata.date
    etree.SubElement(info, OFD + "Creator").text = metadata.creator
    etree.SubElement(info, OFD + "CreatorVersion").text = metadata.creator_version
    if metadata.custom:
        custom = etree.SubElement(info, OFD + "CustomDatas")
        for name, value in metadata.custom:
            etree.SubElement(custom, OFD + "CustomData", Name=name).text = value
    etree.SubElement(body, OFD + "DocRoot").text = f"{DOC}/Document.xml"
    return root


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            entry = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            entry.create_system = 3  # Unix, whatever system writes it
            archive.writestr(entry, files[name], compresslevel=6)
    return buffer.getvalue()
