"""gongwen publish --sign, verify's signature checks, gongwen key new: a
PAdES signature pyHanko's validator accepts with the test certificate as its
trust root and rejects after one changed byte, the PDF still PDF/A, the
signer in the manifest, Chinese errors for a wrong password or a bad file."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from asn1crypto import x509
from cryptography import x509 as crypto_x509
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12

from generator.archive.publish import publish
from generator.archive.signing import TEST_LABEL, load_signer
from generator.cli import main
from tests.conftest import copy_publishable_wushui
from tests.pdfa import pdfa_2u_problems

PASSWORD = "测试密码-123"
NAME = "临武县武水镇人民政府"


@dataclass(frozen=True)
class Signed:
    dataset: Path
    key: Path
    root: Path
    folder: Path
    pdf: Path


def _certificate(key: Path) -> crypto_x509.Certificate:
    _, certificate, _ = pkcs12.load_key_and_certificates(key.read_bytes(), PASSWORD.encode())
    assert certificate is not None
    return certificate


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> Signed:
    base = tmp_path_factory.mktemp("signed")
    dataset = copy_publishable_wushui(base / "wushui" / "2024")
    key = base / "key.p12"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GONGWEN_SIGN_PASSWORD", PASSWORD)
        assert main(["key", "new", "--name", NAME, "--out", str(key)]) == 0
        root = base / "archive"
        assert main(["publish", str(dataset), "--archive", str(root), "--sign", str(key)]) == 0
    (folder,) = (root / "wushui" / "2024").iterdir()
    return Signed(dataset, key, root, folder, folder / "wushui-2024.pdf")


def _validate(pdf: Path, roots: list[crypto_x509.Certificate]) -> list[object]:
    """pyHanko's own validation of every signature, the given roots trusted."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    trust = [x509.Certificate.load(r.public_bytes(Encoding.DER)) for r in roots]
    with pdf.open("rb") as handle:
        reader = PdfFileReader(handle)
        return [
            validate_pdf_signature(s, ValidationContext(trust_roots=trust, allow_fetching=False))
            for s in reader.embedded_signatures
        ]


def test_the_test_certificate_says_it_is_one(signed: Signed) -> None:
    certificate = _certificate(signed.key)
    subject = certificate.subject.rfc4514_string()
    assert f"{NAME}（测试证书）" in subject and TEST_LABEL in subject
    assert certificate.issuer == certificate.subject  # self-signed


def test_pyhankos_validator_accepts_the_signature_with_the_test_root(signed: Signed) -> None:
    (status,) = _validate(signed.pdf, [_certificate(signed.key)])
    assert status.bottom_line  # type: ignore[attr-defined]
    assert status.intact and status.valid and status.trusted  # type: ignore[attr-defined]
    assert status.coverage.name == "ENTIRE_FILE"  # type: ignore[attr-defined]
    assert status.signing_cert.subject.native["common_name"] == f"{NAME}（测试证书）"  # type: ignore[attr-defined]
    (untrusted,) = _validate(signed.pdf, [])
    assert untrusted.intact and not untrusted.trusted  # type: ignore[attr-defined]


def test_one_changed_byte_breaks_the_signature(signed: Signed, tmp_path: Path) -> None:
    data = bytearray(signed.pdf.read_bytes())
    index = len(data) // 3  # inside the page contents, well within the signed range
    data[index] ^= 0x01
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(bytes(data))
    (status,) = _validate(broken, [_certificate(signed.key)])
    assert not status.intact and not status.bottom_line  # type: ignore[attr-defined]


def test_the_signed_pdf_is_still_pdfa_2u(signed: Signed) -> None:
    assert pdfa_2u_problems(signed.pdf) == []


def test_the_manifest_records_the_signer(signed: Signed) -> None:
    manifest = json.loads((signed.folder / "manifest.json").read_text("utf-8"))
    (record,) = manifest["signatures"]
    assert record["file"] == "wushui-2024.pdf"
    assert record["signer"] == f"{NAME}（测试证书）"
    assert record["certificate_sha256"] == load_signer(signed.key, PASSWORD).certificate_sha256
    assert record["signed_at"].startswith("20")


def test_the_archive_register_records_the_signer(signed: Signed) -> None:
    """The register's line for the version names who signed it, inside the hash chain."""
    from generator.archive.register import read

    register = read(signed.root)
    assert register is not None and not register.problems
    (entry,) = register.entries
    assert entry.signers == (f"{NAME}（测试证书）",)
    assert '"signers":["' in entry.line()


def test_verify_reports_a_valid_a_broken_and_a_missing_signature(
    signed: Signed, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["verify", str(signed.root)]) == 0
    out = capsys.readouterr().out
    assert f"签名有效：签署人“{NAME}（测试证书）”" in out
    assert "证书未经受信任的机构签发" in out

    copy = tmp_path / "archive"
    shutil.copytree(signed.root, copy)
    pdf = copy / signed.folder.relative_to(signed.root) / signed.pdf.name
    data = bytearray(pdf.read_bytes())
    data[len(data) // 3] ^= 0x01
    pdf.write_bytes(bytes(data))
    assert main(["verify", str(copy)]) == 1
    assert "签名已损坏" in capsys.readouterr().out

    unsigned = publish(signed.dataset, tmp_path / "unsigned")
    shutil.copyfile(unsigned.folder / signed.pdf.name, pdf)
    assert main(["verify", str(copy)]) == 1
    out = capsys.readouterr().out
    assert f"签名缺失（清单记录由“{NAME}（测试证书）”签名）" in out


def test_the_same_inputs_signed_again_publish_nothing_but_a_first_signature_does(
    signed: Signed, tmp_path: Path
) -> None:
    signer = load_signer(signed.key, PASSWORD)
    again = publish(signed.dataset, signed.root, signer=signer)
    assert not again.created and again.folder == signed.folder
    root = tmp_path / "archive"
    first = publish(signed.dataset, root)
    second = publish(signed.dataset, root, signer=signer)
    assert second.created and second.revision == first.revision + 1


@pytest.mark.parametrize(
    ("key", "password", "message"),
    [
        ("good", "不对的密码", "证书密码不正确"),
        ("garbage", PASSWORD, "不是有效的 PKCS#12 证书文件"),
        ("missing", PASSWORD, "证书文件不存在"),
    ],
)
def test_a_wrong_password_or_a_bad_file_is_told_in_chinese_and_nothing_is_published(
    signed: Signed,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    key: str,
    password: str,
    message: str,
) -> None:
    path = {"good": signed.key, "garbage": tmp_path / "x.p12", "missing": tmp_path / "no.p12"}[key]
    if key == "garbage":
        path.write_bytes(b"0\x82\x01\x00not a pkcs12 file")
    monkeypatch.setenv("GONGWEN_SIGN_PASSWORD", password)
    root = tmp_path / "archive"
    assert main(["publish", str(signed.dataset), "--archive", str(root), "--sign", str(path)]) == 1
    err = capsys.readouterr().err
    assert message in err and str(path) in err
    assert "Traceback" not in err
    assert not root.exists()


def test_the_password_is_asked_for_without_the_variable(
    signed: Signed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import getpass

    monkeypatch.delenv("GONGWEN_SIGN_PASSWORD", raising=False)
    asked: list[str] = []

    def ask(prompt: str = "") -> str:
        asked.append(prompt)
        return PASSWORD

    monkeypatch.setattr(getpass, "getpass", ask)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    root = tmp_path / "archive"
    assert (
        main(["publish", str(signed.dataset), "--archive", str(root), "--sign", str(signed.key)])
        == 0
    )
    assert asked == [f"证书 {signed.key} 的密码："]


def test_without_the_variable_and_a_terminal_the_password_is_missing_in_chinese(
    signed: Signed,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("GONGWEN_SIGN_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    root = tmp_path / "archive"
    assert (
        main(["publish", str(signed.dataset), "--archive", str(root), "--sign", str(signed.key)])
        == 1
    )
    assert (
        "没有证书密码：请在终端中运行，或设置环境变量 GONGWEN_SIGN_PASSWORD"
        in capsys.readouterr().err
    )
    assert not root.exists()


def test_key_new_refuses_to_overwrite(
    signed: Signed, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = signed.key.read_bytes()
    monkeypatch.setenv("GONGWEN_SIGN_PASSWORD", PASSWORD)
    assert main(["key", "new", "--name", NAME, "--out", str(signed.key)]) == 1
    assert "不会覆盖" in capsys.readouterr().err
    assert signed.key.read_bytes() == before
