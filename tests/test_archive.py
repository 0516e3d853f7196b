"""gongwen publish and gongwen verify: what a published version holds, that
it is PDF/A, that it is never overwritten, and that verify finds every change."""

from __future__ import annotations

import dataclasses
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfparser import PDFParser

from generator import __version__
from generator.archive.provenance import shared_templates_used
from generator.archive.publish import (
    PDF_VARIANT,
    Published,
    publish,
    revisions,
    version_name,
)
from generator.archive.register import GENESIS, REGISTER, revision_name
from generator.archive.register import read as read_register
from generator.build.manifest import MANIFEST, check_folder, files_under, sha256_of
from generator.build.pipeline import BuildResult
from generator.cli import main
from generator.dataset.doubts import LOST
from generator.dataset.load import load_sources
from generator.dataset.validate import validate
from generator.paths import shared_templates
from generator.problems import DataError
from tests.conftest import (
    copy_publishable_wushui,
    docx_paragraphs,
    fill_lost_characters,
    pdf_pages_text,
    squeeze,
)
from tests.pdfa import XMP, pdfa_2u_problems, xmp

HOSTILE = "&<>\"'"


@dataclass(frozen=True)
class Archive:
    dataset: Path
    root: Path
    first: Published


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    base = tmp_path_factory.mktemp("publish")
    dataset = base / "wushui" / "2024"
    copy_publishable_wushui(dataset)
    root = base / "archive"
    return Archive(dataset, root, publish(dataset, root))


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(root).as_posix(): (p.stat().st_mtime_ns, p.stat().st_size)
        for p in sorted(root.rglob("*"))
    }


def _copy(archive: Archive, tmp_path: Path) -> Path:
    target = tmp_path / "archive"
    shutil.copytree(archive.root, target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"test setup: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_a_version_holds_outputs_sources_and_a_manifest_of_them(archive: Archive) -> None:
    document = validate(load_sources(archive.dataset)).document
    folder = archive.first.folder
    assert document.notice is not None
    assert folder == archive.root / "wushui" / "2024" / str(document.notice.number)
    assert folder.name == "武政发〔2023〕80号" and archive.first.revision == 1

    manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
    assert manifest["gongwen"] == __version__ and manifest["pdf_variant"] == PDF_VARIANT
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert set(listed) | {MANIFEST} == set(files_under(folder))
    for path, entry in listed.items():
        assert entry["bytes"] == (folder / path).stat().st_size
        assert entry["sha256"] == sha256_of(folder / path)

    # The whole data set, byte for byte, under its office/year names...
    data = folder / "source" / "data" / "wushui" / "2024"
    assert files_under(data) == files_under(archive.dataset)
    for relative in files_under(archive.dataset):
        assert (data / relative).read_bytes() == (archive.dataset / relative).read_bytes()
    # ...and exactly the shared templates a build of it reads.
    templates = folder / "source" / "templates"
    assert files_under(templates) == ["docx/gongwen.docx", "notice/issue-plan.md.j2", "style.yaml"]
    for relative in files_under(templates):
        assert (templates / relative).read_bytes() == (shared_templates() / relative).read_bytes()
    assert {"wushui-2024.docx", "wushui-2024.pdf"} <= set(listed)


def test_the_archived_pdf_is_pdfa_2u_with_the_same_text_as_a_build(
    archive: Archive, wushui_build: BuildResult
) -> None:
    pdf = archive.first.folder / "wushui-2024.pdf"
    assert pdfa_2u_problems(pdf) == []
    # The checks can fail: an ordinary build is not PDF/A.
    assert pdfa_2u_problems(wushui_build.out_dir / "wushui-2024.pdf")
    with pdf.open("rb") as handle:
        properties = xmp(PDFDocument(PDFParser(handle)))
    issued = str(validate(load_sources(archive.dataset)).document.issued)
    assert properties[f"{XMP}CreateDate"] == properties[f"{XMP}ModifyDate"] == issued
    # Level u: every glyph maps back to its character, so the text is the build's.
    built = pdf_pages_text(wushui_build.out_dir / "wushui-2024.pdf")
    assert pdf_pages_text(pdf) == [page.replace(LOST, "某") for page in built]


def test_publishing_identical_inputs_again_writes_nothing(
    archive: Archive, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _snapshot(archive.root)
    assert main(["publish", str(archive.dataset), "--archive", str(archive.root)]) == 0
    out = capsys.readouterr().out
    assert "已发布过" in out and "未写入任何文件" in out and str(archive.first.folder) in out
    assert _snapshot(archive.root) == before


def test_changed_inputs_make_a_new_revision_and_text_stays_literal(
    archive: Archive, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _copy(archive, tmp_path)
    first = root / "wushui" / "2024" / archive.first.folder.name
    first_files = {p: (first / p).read_bytes() for p in files_under(first)}
    dataset = tmp_path / "wushui" / "2024"
    shutil.copytree(archive.dataset, dataset)
    leader = f"胡{HOSTILE}玉萍"
    clerk = f"邝{HOSTILE}武信"
    _edit(dataset / "organisation.yaml", "name: 胡玉萍}", "name: '胡&<>\"''玉萍'}")
    _edit(
        dataset / "tables" / "assignments.yaml", "村经办员: 邝武信}", "村经办员: '邝&<>\"''武信'}"
    )

    assert main(["publish", str(dataset), "--archive", str(root)]) == 0
    assert "第 2 版" in capsys.readouterr().out
    second = root / "wushui" / "2024" / "武政发〔2023〕80号-修订2"
    assert sorted(p.name for p in second.parent.iterdir()) == [first.name, second.name]
    # The first revision is untouched.
    assert {p: (first / p).read_bytes() for p in files_under(first)} == first_files
    # & < > " ' come out as themselves in the DOCX's XML text and in the PDF's text.
    paragraphs = docx_paragraphs(second / "wushui-2024.docx")
    assert any(leader in p for p in paragraphs)
    assert any(clerk in p for p in paragraphs)
    pdf_text = "".join(pdf_pages_text(second / "wushui-2024.pdf"))
    assert squeeze(leader) in pdf_text and squeeze(clerk) in pdf_text
    assert main(["verify", str(root)]) == 0


def test_verify_names_every_changed_missing_and_added_file(
    archive: Archive, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _copy(archive, tmp_path)
    assert main(["verify", str(root)]) == 0
    assert "1 个完好，0 个有问题" in capsys.readouterr().out

    version = root / "wushui" / "2024" / archive.first.folder.name
    pdf = version / "wushui-2024.pdf"
    data = bytearray(pdf.read_bytes())
    data[len(data) // 2] ^= 1  # one bit: the size stays, only the hash can tell
    pdf.write_bytes(bytes(data))
    (version / "source" / "data" / "wushui" / "2024" / "policy.yaml").unlink()
    (version / "source" / "说明.txt").write_text("后来加的", "utf-8")
    (root / "wushui" / "2024" / ".gongwen-abcd1234").mkdir()

    assert main(["verify", str(root)]) == 1
    out = capsys.readouterr().out
    assert f"有问题：{version}" in out
    assert "已改动：wushui-2024.pdf" in out
    assert "缺失：source/data/wushui/2024/policy.yaml" in out
    assert "新增：source/说明.txt" in out
    assert "临时目录" in out and "1 个有问题" in out
    assert out.count("：source/") + out.count("：wushui-") == 3  # nothing else is named


def test_verify_does_not_follow_a_manifest_out_of_its_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("x", "utf-8")
    version = tmp_path / "archive" / "v"
    version.mkdir(parents=True)
    entry = {"path": "../../secret.txt", "bytes": 1, "sha256": sha256_of(secret)}
    (version / MANIFEST).write_text(json.dumps({"files": [entry]}), "utf-8")
    assert main(["verify", str(tmp_path / "archive")]) == 1
    assert "清单中的路径不合法：../../secret.txt" in capsys.readouterr().out

    (version / MANIFEST).write_text("{not json", "utf-8")
    assert main(["verify", str(tmp_path / "archive")]) == 1
    assert "清单无法读取" in capsys.readouterr().out


@pytest.mark.parametrize("prefix", ["../../../逃逸", "武/政发", "..", ".隐藏"])
def test_a_document_number_that_is_no_folder_name_is_refused(
    prefix: str, dataset_copy: Path, tmp_path: Path
) -> None:
    _edit(dataset_copy / "document.yaml", "prefix: 武政发", f"prefix: '{prefix}'")
    before = set(tmp_path.rglob("*"))
    with pytest.raises(DataError) as error:
        publish(dataset_copy, tmp_path / "archive")
    problem = error.value.problems[0]
    assert "不能用作目录名" in problem.message and problem.file is not None
    assert problem.file.name == "document.yaml" and problem.line is not None
    assert set(tmp_path.rglob("*")) == before


def test_a_symlink_in_the_data_set_is_refused(dataset_copy: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("不属于数据集", "utf-8")
    (dataset_copy / "附注.txt").symlink_to(outside)
    with pytest.raises(DataError) as error:
        publish(dataset_copy, tmp_path / "archive")
    assert "符号链接" in error.value.problems[0].message
    assert not (tmp_path / "archive").exists()


def test_the_archive_may_not_sit_inside_the_data_set(dataset_copy: Path) -> None:
    with pytest.raises(DataError) as error:
        publish(dataset_copy, dataset_copy / "archive")
    assert "存档目录不能位于数据集目录之中" in error.value.problems[0].message


def test_without_a_document_number_the_version_is_named_by_the_issue_date(
    dataset_copy: Path,
) -> None:
    text = (dataset_copy / "document.yaml").read_text("utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("number:")]
    (dataset_copy / "document.yaml").write_text("\n".join(lines) + "\n", "utf-8")
    dataset = validate(load_sources(dataset_copy))
    notice = dataset.document.notice
    assert notice is not None and notice.number is None
    assert version_name(dataset) == notice.date.isoformat()


def test_revisions_are_found_by_their_exact_names(tmp_path: Path) -> None:
    name = "武政发〔2023〕8号"
    for folder in [name, f"{name}-修订2", f"{name}-修订10", f"{name}-修订1", f"{name}-修订02"]:
        (tmp_path / folder).mkdir()
    (tmp_path / "武政发〔2023〕80号").mkdir()  # another document
    (tmp_path / f"{name}-修订3").write_text("a file, not a version", "utf-8")
    assert revisions(tmp_path, name) == {
        1: tmp_path / name,
        2: tmp_path / f"{name}-修订2",
        10: tmp_path / f"{name}-修订10",
    }
    assert revision_name(name, 1) == name and revision_name(name, 11) == f"{name}-修订11"


def test_only_the_shared_templates_a_build_reads_are_archived(dataset_copy: Path) -> None:
    shared = shared_templates()
    assert shared_templates_used(validate(load_sources(dataset_copy))) == [
        "docx/gongwen.docx",
        "notice/issue-plan.md.j2",
        "style.yaml",
    ]
    # A data set's own copy overrides the shared one, which is then not read.
    shutil.copyfile(shared / "style.yaml", dataset_copy / "style.yaml")
    (dataset_copy / "notice").mkdir()
    shutil.copyfile(shared / "notice/issue-plan.md.j2", dataset_copy / "notice/issue-plan.md.j2")
    assert shared_templates_used(validate(load_sources(dataset_copy))) == ["docx/gongwen.docx"]


def test_publish_refuses_placeholders_and_lost_characters(
    dataset_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --strict too: the seed's □ and a 待填写 are each named with file and line."""
    _edit(dataset_copy / "organisation.yaml", "name: 胡玉萍}", "name: 待填写}")
    assert main(["publish", str(dataset_copy), "--archive", str(tmp_path / "archive")]) == 1
    err = capsys.readouterr().err
    assert "数据集中还有 9 处占位文字或缺损的字" in err
    assert err.count("中的 □ 是原文缺损的字") == 8
    line = next(
        n
        for n, text in enumerate(
            (dataset_copy / "organisation.yaml").read_text("utf-8").split("\n"), 1
        )
        if "待填写" in text
    )
    assert f"organisation.yaml:{line}:" in err and "“待填写”是占位文字" in err
    assert not (tmp_path / "archive").exists()


# ------------------------------------------------------------- the register (issue 18)


def _verify(root: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    code = main(["verify", str(root), *extra])
    return code, capsys.readouterr().out


def _version(root: Path, archive: Archive) -> Path:
    return root / "wushui" / "2024" / archive.first.folder.name


def _rewrite_manifest(version: Path, change: Any) -> None:
    """Edit the manifest as a careful forger would: consistent with the files."""
    manifest = json.loads((version / MANIFEST).read_text("utf-8"))
    change(manifest)
    (version / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), "utf-8")


def test_each_publish_adds_a_chained_line_to_the_register(
    archive: Archive, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _copy(archive, tmp_path)
    register = read_register(root)
    assert register is not None and not register.problems
    (entry,) = register.entries
    assert entry.path == "wushui/2024/武政发〔2023〕80号" and entry.previous == GENESIS
    assert entry.manifest_sha256 == sha256_of(_version(root, archive) / MANIFEST)
    code, out = _verify(root, capsys)
    assert code == 0 and f"链头 {entry.hash}" in out
    assert _verify(root, capsys, "--head", entry.hash)[0] == 0
    code, out = _verify(root, capsys, "--head", "0" * 64)
    assert code == 1 and "链头与给出的" in out


def test_verify_names_a_deleted_manifest(
    archive: Archive, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _copy(archive, tmp_path)
    (_version(root, archive) / MANIFEST).unlink()
    code, out = _verify(root, capsys)
    assert code == 1
    assert (
        "清单缺失：wushui/2024/武政发〔2023〕80号 的 manifest.json 被删除（登记簿第 1 条）" in out
    )
    assert "共核验 0 个版本" not in out and out.count("存档有问题") == 1, out


@pytest.mark.parametrize("change", ["file", "deleted docx"])
def test_verify_catches_a_file_changed_with_its_manifest_entry(
    change: str, archive: Archive, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _copy(archive, tmp_path)
    version = _version(root, archive)
    if change == "file":
        policy = version / "source" / "data" / "wushui" / "2024" / "policy.yaml"
        _edit(policy, "amount: 380", "amount: 480")
        new = {"bytes": policy.stat().st_size, "sha256": sha256_of(policy)}

        def forge(manifest: dict[str, Any]) -> None:
            for entry in manifest["files"]:
                if entry["path"].endswith("2024/policy.yaml"):
                    entry.update(new)
    else:
        (version / "wushui-2024.docx").unlink()

        def forge(manifest: dict[str, Any]) -> None:
            manifest["files"] = [e for e in manifest["files"] if e["path"] != "wushui-2024.docx"]

    _rewrite_manifest(version, forge)
    assert check_folder(version) == []  # the manifest alone sees nothing
    code, out = _verify(root, capsys)
    assert code == 1 and f"有问题：{version}" in out
    assert "清单与登记簿第 1 条不符" in out


def test_verify_names_a_renamed_version(
    archive: Archive, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _copy(archive, tmp_path)
    version = _version(root, archive)
    version.rename(version.with_name("武政发〔2023〕81号"))
    code, out = _verify(root, capsys)
    assert code == 1
    assert (
        "改名：登记簿第 1 条的 wushui/2024/武政发〔2023〕80号 现在是 wushui/2024/武政发〔2023〕81号"
        in out
    )
    assert "目录名与清单不符" in out


def test_verify_names_an_edited_revision_number(
    archive: Archive, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _copy(archive, tmp_path)
    version = _version(root, archive)

    def forge(manifest: dict[str, Any]) -> None:
        manifest["revision"] = 2

    _rewrite_manifest(version, forge)
    version.rename(version.with_name(version.name + "-修订2"))
    code, out = _verify(root, capsys)
    assert code == 1 and "改名" not in out
    assert "缺失：登记簿第 1 条的版本 wushui/2024/武政发〔2023〕80号 不存在" in out
    assert "未登记" in out


def test_verify_names_a_version_added_by_hand_and_a_missing_register(
    archive: Archive, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _copy(archive, tmp_path)
    version = _version(root, archive)
    shutil.copytree(version, version.with_name("武政发〔2023〕99号"))
    code, out = _verify(root, capsys)
    assert code == 1 and "未登记" in out and "目录名与清单不符" in out

    (root / REGISTER).unlink()
    code, out = _verify(root, capsys)
    assert code == 1 and "没有找到登记簿" in out


def test_verify_catches_a_register_rewritten_only_by_the_head(
    archive: Archive, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A forger who also rewrites the register line leaves a whole chain: only
    the head written down elsewhere tells."""
    root = _copy(archive, tmp_path)
    head = read_register(root).head  # type: ignore[union-attr]
    version = _version(root, archive)
    (version / "wushui-2024.docx").unlink()
    _rewrite_manifest(
        version,
        lambda m: m.update(files=[e for e in m["files"] if e["path"] != "wushui-2024.docx"]),
    )
    (entry,) = read_register(root).entries  # type: ignore[union-attr]
    forged = dataclasses.replace(entry, manifest_sha256=sha256_of(version / MANIFEST))
    (root / REGISTER).write_text(forged.line() + "\n", "utf-8")
    assert _verify(root, capsys)[0] == 0
    code, out = _verify(root, capsys, "--head", head)
    assert code == 1 and "链头与给出的" in out


def test_verify_names_an_edited_register_line(
    archive: Archive, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _copy(archive, tmp_path)
    text = (root / REGISTER).read_text("utf-8")
    (root / REGISTER).write_text(text.replace('"number":1', '"number": 1'), "utf-8")
    code, out = _verify(root, capsys)
    assert code == 1 and "登记簿第 1 行格式不对" in out


def test_a_folder_of_documents_without_a_manifest_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "空"
    empty.mkdir()
    code, out = _verify(empty, capsys)
    assert code == 1 and "没有找到带 manifest.json 的版本" in out

    (empty / "x.docx").write_bytes(b"PK")
    code, out = _verify(empty, capsys)
    assert code == 1 and f"缺少清单：{empty} 中有公文文件" in out


def test_publish_warnings_name_the_data_sets_own_files(archive: Archive) -> None:
    """Not the staged copy in archive/…/.gongwen-xxxx/source/… (issue 18)."""
    located = [w for w in archive.first.warnings if w.file is not None]
    assert located, archive.first.warnings
    for warning in located:
        assert warning.file is not None and warning.file.is_relative_to(archive.dataset), warning
        assert ".gongwen-" not in str(warning)


def test_publish_errors_name_the_data_sets_own_files(dataset_copy: Path, tmp_path: Path) -> None:
    """A problem found only while building (a template error) names the data set's file."""
    fill_lost_characters(dataset_copy)
    (dataset_copy / "plan.md.j2").write_text("正文。\n{{ 1 | nmu }}\n", "utf-8")
    with pytest.raises(DataError) as raised:
        publish(dataset_copy, tmp_path / "archive")
    (problem,) = raised.value.problems
    assert problem.file == dataset_copy / "plan.md.j2" and problem.line == 2, problem
    assert not (tmp_path / "archive").exists()


def _append_many(args: tuple[str, int]) -> None:
    from generator.archive import register

    archive, worker = Path(args[0]), args[1]
    for index in range(25):
        folder = archive / "office" / "2024" / f"{worker}-{index}"
        register.append(archive, folder, f"{worker:032x}{index:032x}")


def test_simultaneous_publishes_each_add_their_line_to_one_chain(tmp_path: Path) -> None:
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(4) as pool:
        pool.map(_append_many, [(str(tmp_path), worker) for worker in range(4)])
    register = read_register(tmp_path)
    assert register is not None and not register.problems
    assert [e.number for e in register.entries] == list(range(1, 101))
    assert len({e.path for e in register.entries}) == 100


def test_publishing_again_warns_of_a_version_missing_from_the_register(
    archive: Archive, tmp_path: Path
) -> None:
    root = _copy(archive, tmp_path)
    assert publish(archive.dataset, root).warnings == ()
    (root / REGISTER).unlink()  # as if killed between the rename and the registration
    again = publish(archive.dataset, root)
    assert not again.created
    (warning,) = again.warnings
    assert "不在登记簿" in warning.message and str(again.folder) in warning.message
