"""Signing the archival PDF (PAdES, with pyHanko), checking its signatures,
and a self-signed certificate for trying this out.

The key and certificate come from a PKCS#12 file (.p12/.pfx), the form in which
certificate authorities hand them out. A signature is added as an incremental
update, so the signed PDF is the PDF/A file as built plus the signature; the
signature field is invisible (a printed notice carries its seal, not a widget).
The signing time is the real time: a signature states when it was made, so a
signed PDF, unlike a built one, differs from one signing to the next.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.problems import DataError, Problem

FIELD = "gongwen-signature"
SIGNATURES = "signatures"  # the published manifest's record of who signed which file

# pyHanko logs what it finds (a self-signed certificate, with a traceback) as
# warnings; verify says it in Chinese instead, so its loggers stay silent.
for _logger in ("pyhanko", "pyhanko_certvalidator"):
    logging.getLogger(_logger).addHandler(logging.NullHandler())
    logging.getLogger(_logger).propagate = False
TEST_LABEL = "测试用自签名证书，不可用于正式发文"


@dataclass(frozen=True)
class Signer:
    """A key and its certificate, loaded from a .p12 file; name is the signer's
    name as the certificate gives it."""

    name: str
    certificate_sha256: str
    pyhanko_signer: Any  # pyhanko.sign.signers.SimpleSigner


@dataclass(frozen=True)
class SignatureCheck:
    """One signature of a PDF as verify reports it."""

    field: str
    signer: str
    signed_at: str  # ISO 8601, as the signature claims it (no timestamp authority)
    intact: bool  # the signed bytes are unchanged
    valid: bool  # the signature over them is the certificate's key's
    whole_file: bool  # nothing was added to the file after signing
    trusted: bool  # the certificate leads to a trusted root

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.whole_file


def _name_of(certificate: Any) -> str:
    """The subject's common name (else its whole name) of an asn1crypto certificate."""
    subject = certificate.subject.native
    return str(subject.get("common_name") or certificate.subject.human_friendly)


def load_signer(p12: Path, password: str) -> Signer:
    """The key and certificate of a .p12 file; DataError in Chinese for a file
    that is missing, not PKCS#12, or locked with another password."""
    from asn1crypto import keys, pkcs12, x509
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
    )
    from cryptography.hazmat.primitives.serialization import (
        pkcs12 as crypto_pkcs12,
    )
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    try:
        data = p12.read_bytes()
    except OSError as error:
        reason = "不存在" if isinstance(error, FileNotFoundError) else "无法读取"
        raise DataError([Problem(f"证书文件{reason}", p12)]) from None
    try:
        key, certificate, others = crypto_pkcs12.load_key_and_certificates(
            data, password.encode("utf-8")
        )
    except ValueError:
        try:
            pkcs12.Pfx.load(data).native  # noqa: B018  (parses the whole structure)
            readable = True
        except Exception:  # asn1crypto raises many kinds for bytes that are not DER
            readable = False
        message = "证书密码不正确" if readable else "不是有效的 PKCS#12 证书文件（.p12/.pfx）"
        raise DataError([Problem(message, p12)]) from None
    if key is None or certificate is None:
        raise DataError([Problem("证书文件中没有私钥或证书，无法签名", p12)])
    der = certificate.public_bytes(Encoding.DER)
    signing_cert = x509.Certificate.load(der)
    signing_key = keys.PrivateKeyInfo.load(
        key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    )
    chain = [x509.Certificate.load(c.public_bytes(Encoding.DER)) for c in others]
    signer = SimpleSigner(
        signing_cert=signing_cert,
        signing_key=signing_key,
        cert_registry=SimpleCertificateStore.from_certs([signing_cert, *chain]),  # type: ignore[no-untyped-call]
    )
    return Signer(_name_of(signing_cert), hashlib.sha256(der).hexdigest(), signer)


def sign_pdf(path: Path, signer: Signer) -> str:
    """Sign the PDF at path in place (PAdES baseline B); return the signing
    time written into it (ISO 8601, UTC)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        name=signer.name,
    )
    with path.open("rb") as handle:
        writer = IncrementalPdfFileWriter(handle, strict=False)
        # pyHanko takes the signing time from the clock.
        signed = signers.PdfSigner(metadata, signer.pyhanko_signer).sign_pdf(writer).getvalue()
    path.write_bytes(signed)
    return check_pdf(path)[-1].signed_at


def check_pdf(path: Path, trust_roots: list[bytes] | None = None) -> list[SignatureCheck]:
    """Every signature of the PDF, checked. trust_roots (DER certificates) are
    the roots trusted; none by default, so a signature can be valid (intact,
    made by the certificate's key) without its certificate being trusted.
    ValueError (Chinese) if the file is not a readable PDF."""
    from asn1crypto import x509
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    roots = [x509.Certificate.load(root) for root in trust_roots or []]
    checks = []
    try:
        with path.open("rb") as handle:
            reader = PdfFileReader(handle, strict=False)
            for embedded in reader.embedded_signatures:
                context = ValidationContext(trust_roots=roots, allow_fetching=False)
                try:
                    status = validate_pdf_signature(embedded, context)
                except Exception:  # a signature pyHanko cannot even evaluate is broken
                    checks.append(
                        SignatureCheck(embedded.field_name, "?", "", False, False, False, False)
                    )
                    continue
                signed_at = status.signer_reported_dt
                checks.append(
                    SignatureCheck(
                        field=embedded.field_name,
                        signer=_name_of(status.signing_cert),
                        signed_at=signed_at.isoformat() if signed_at else "",
                        intact=bool(status.intact),
                        valid=bool(status.valid),
                        whole_file=status.coverage is not None
                        and status.coverage.name == "ENTIRE_FILE",
                        trusted=bool(status.trusted),
                    )
                )
    except (PdfError, OSError, ValueError, KeyError, IndexError):
        raise ValueError("无法读取 PDF 中的签名（文件已损坏或不是 PDF）") from None
    return checks


def describe(check: SignatureCheck) -> str:
    """One line, in Chinese, saying what verify found about a signature."""
    if check.ok:
        trust = "" if check.trusted else "；证书未经受信任的机构签发"
        return f"签名有效：签署人“{check.signer}”，签署时间 {check.signed_at}{trust}"
    if not check.intact:
        return f"签名已损坏：签名后文件内容被改动（签署人“{check.signer}”）"
    if not check.valid:
        return f"签名无效：签名值与证书不符（签署人“{check.signer}”）"
    return f"签名之后文件又被追加了内容（签署人“{check.signer}”）"


def new_test_certificate(name: str, password: str, out: Path, days: int = 730) -> str:
    """Write a .p12 file with a new key and a self-signed certificate for name,
    labelled in its subject as a test certificate; return the certificate's
    common name. Refuses to overwrite a file."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
    from cryptography.x509.oid import NameOID

    common_name = f"{name}（测试证书）"
    if not name.strip() or len(common_name.encode("utf-8")) > 64:  # X.520's upper bound
        raise DataError([Problem(f"签署人名称“{name}”为空或过长（最多约 16 个汉字）")])
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, name[:64]),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, TEST_LABEL),
        ]
    )
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,  # non-repudiation: what a signed 公文 asserts
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,  # self-signed: it signs itself
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    data = pkcs12.serialize_key_and_certificates(
        common_name.encode("utf-8"),
        key,
        certificate,
        None,
        BestAvailableEncryption(password.encode("utf-8")),
    )
    with out.open("xb") as handle:  # never over an existing key
        handle.write(data)
    return common_name


@dataclass(frozen=True)
class SignatureFinding:
    """What verify says about a signature of a folder's PDF: ok or a problem."""

    ok: bool
    file: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}：{self.message}"


def check_folder_signatures(folder: Path) -> list[SignatureFinding]:
    """Every signature of the PDFs at the top of a published (or built) folder,
    checked; a signature the manifest records and the PDF lacks is reported missing."""
    import json

    try:
        manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
        recorded = manifest.get(SIGNATURES, []) if isinstance(manifest, dict) else []
        expected = {str(r["file"]): str(r.get("signer", "")) for r in recorded}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        expected = {}  # an unreadable manifest is reported by the manifest check
    findings = []
    for pdf in sorted(folder.glob("*.pdf")):
        if pdf.is_symlink() or not pdf.is_file():
            continue
        try:
            checks = check_pdf(pdf)
        except ValueError as error:
            findings.append(SignatureFinding(False, pdf.name, str(error)))
            continue
        for check in checks:
            findings.append(SignatureFinding(check.ok, pdf.name, describe(check)))
        if not checks and pdf.name in expected:
            message = f"签名缺失（清单记录由“{expected[pdf.name]}”签名）"
            findings.append(SignatureFinding(False, pdf.name, message))
    for name, signer in sorted(expected.items()):
        if not (folder / name).is_file():
            findings.append(SignatureFinding(False, name, f"已签名的文件缺失（签署人“{signer}”）"))
    return findings
