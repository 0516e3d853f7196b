"""The editor's routes (Starlette). Pages are Jinja2 templates with
autoescaping; the page's script talks JSON to the /d/<office>/<year>/ routes.
Heavy work (validation, the preview, builds) runs in a worker thread."""

from __future__ import annotations

import json
import tempfile
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from generator.editor import drafts, editing, forms, status, yamlsave
from generator.editor.preview import Previewer
from generator.editor.security import Guard, GuardMiddleware
from generator.editor.variables import variables
from generator.editor.workspace import FORM_FILES, DatasetRef, OutsideError, Workspace
from generator.problems import DataError, Problem

HERE = Path(__file__).resolve().parent
SECTIONS = {"document.yaml": "发文信息", "policy.yaml": "政策参数", "organisation.yaml": "领导小组"}

Handler = Callable[[Request], Awaitable[Response]]


def _json_problems(problems: list[Any], root: Path) -> list[dict[str, Any]]:
    return [drafts.problem_json(p, root) for p in problems]


class Editor:
    def __init__(self, workspace: Workspace, guard: Guard, preview_dir: Path | None = None) -> None:
        self.workspace = workspace
        self.guard = guard
        self._writing = threading.Lock()
        self.previewer = Previewer(preview_dir or Path(tempfile.mkdtemp(prefix="gongwen-preview-")))
        self.pages = Environment(
            loader=PackageLoader("generator.editor", "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
        )

    # ------------------------------------------------------------ helpers

    def page(self, name: str, **context: Any) -> HTMLResponse:
        html = self.pages.get_template(name).render(token=self.guard.token, **context)
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    def pages_error(self, messages: list[str], status: int) -> HTMLResponse:
        response = self.page("error.html", messages=messages)
        response.status_code = status
        return response

    def ref(self, request: Request) -> DatasetRef:
        return self.workspace.dataset(request.path_params["office"], request.path_params["year"])

    # ------------------------------------------------------------ pages

    async def index(self, request: Request) -> Response:
        def statuses() -> list[status.DatasetStatus]:
            return [status.status(self.workspace, ref) for ref in self.workspace.datasets()]

        return self.page(
            "index.html", datasets=await run_in_threadpool(statuses), root=self.workspace.root
        )

    async def dataset(self, request: Request) -> Response:
        ref = self.ref(request)

        def gather() -> dict[str, Any]:
            files: dict[str, Any] = {}
            for name in FORM_FILES:
                path = self.workspace.file(ref, name)
                text = path.read_text(encoding="utf-8") if path.is_file() else ""
                group, broken = None, None
                try:
                    if text:
                        group = forms.form(name, yamlsave.Document(text, name))
                except DataError as error:  # told in the list of problems too
                    broken = "；".join(p.message for p in error.problems)
                files[name] = {
                    "title": SECTIONS[name],
                    "version": yamlsave.version_of(text),
                    "group": group,
                    "exists": path.is_file(),
                    "broken": broken,
                }
            outcome = drafts.evaluate(ref.path)
            tables = []
            for table in sorted((ref.path / "tables").glob("*.yaml")):
                name = f"tables/{table.name}"
                path = self.workspace.file(ref, name)
                text = path.read_text(encoding="utf-8")
                try:
                    data = yamlsave.Document(text, name).data
                except DataError:
                    data = None
                if not isinstance(data, dict):  # unreadable: its problem is listed above
                    data = {}
                tables.append(
                    {
                        "file": name,
                        "name": table.stem,
                        "version": yamlsave.version_of(text),
                        "columns": [
                            {
                                "name": str(c.get("name")),
                                "kind": c.get("kind", "text"),
                                "formula": c.get("formula"),
                                "total": c.get("total"),
                            }
                            for c in data.get("columns") or []
                            if isinstance(c, dict)
                        ],
                        "rows": [
                            {
                                str(k): "、".join(map(str, v))
                                if isinstance(v, list)
                                else forms.shown("text", v)
                                for k, v in r.items()
                            }
                            for r in data.get("rows") or []
                            if isinstance(r, dict)
                        ],
                        "total_label": data.get("total_label"),
                        "computed": drafts.table_json(outcome, table.stem),
                    }
                )
            prose = []
            for template in sorted(p for p in ref.path.glob("*.md.j2")):
                path = self.workspace.file(ref, template.name)
                text = path.read_text(encoding="utf-8")
                prose.append(
                    {"file": template.name, "text": text, "version": yamlsave.version_of(text)}
                )
            return {
                "files": files,
                "tables": tables,
                "prose": prose,
                "problems": _json_problems(outcome.problems, ref.path),
                "subsidies": drafts.subsidies_json(outcome),
                "variables": variables(outcome.dataset) if outcome.dataset else [],
                "preview": self.previewer.current(ref),
                "previous": status.previous_year(ref),
            }

        context = await run_in_threadpool(gather)
        return self.page("dataset.html", ref=ref, **context)

    # ------------------------------------------------------------ edits

    async def _edited(self, request: Request) -> tuple[DatasetRef, str, Path, str, str]:
        """The data set, file name, path, text on disk, new text from the request."""
        ref = self.ref(request)
        body = await _json_body(request)
        name = str(body.get("file", ""))
        path = self.workspace.file(ref, name)
        current = path.read_text(encoding="utf-8") if path.is_file() else ""
        if yamlsave.version_of(current) != body.get("version"):
            raise yamlsave.StaleError(name)
        if "edits" in body and name in FORM_FILES:
            new = editing.apply_fields(name, current, body["edits"])
        elif "rows" in body and name.startswith("tables/"):
            new = editing.apply_rows(name, current, body["rows"])
        elif "items" in body and name in FORM_FILES:
            change = body["items"] if isinstance(body["items"], dict) else {}
            new = editing.change_items(name, current, change.get("op"), change.get("path"))
        elif "text" in body and name.endswith(".md.j2"):
            new = str(body["text"])
        else:
            raise DataError([])
        return ref, name, path, current, new

    def _outcome_json(self, ref: DatasetRef, name: str, new: str | None) -> dict[str, Any]:
        replaced = {name: new} if new is not None and name.endswith(".yaml") else None
        outcome = drafts.evaluate(ref.path, replaced)
        result: dict[str, Any] = {
            "problems": _json_problems(outcome.problems, ref.path),
            "subsidies": drafts.subsidies_json(outcome),
        }
        if name.startswith("tables/"):
            result["table"] = drafts.table_json(outcome, Path(name).stem)
        return result

    async def check(self, request: Request) -> Response:
        ref, name, _, _, new = await self._edited(request)
        return JSONResponse(await run_in_threadpool(self._outcome_json, ref, name, new))

    async def save(self, request: Request) -> Response:
        ref, name, path, current, new = await self._edited(request)

        def write() -> dict[str, Any]:
            with self._writing:  # the version checked and the file written as one step
                version = (
                    yamlsave.write_atomically(path, new, yamlsave.version_of(current))
                    if new != current
                    else yamlsave.version_of(current)
                )
            result = self._outcome_json(ref, name, None)
            result["version"] = version
            result["saved"] = new != current
            result["preview"] = self._preview_json(ref, refresh=True)
            return result

        return JSONResponse(await run_in_threadpool(write))

    # ------------------------------------------------------------ preview

    def _preview_json(self, ref: DatasetRef, refresh: bool = False) -> dict[str, Any]:
        preview = self.previewer.refresh(ref) if refresh else self.previewer.current(ref)
        return {
            "version": preview.version,
            "pages": preview.pages,
            "seconds": round(preview.seconds, 3),
            "parts": preview.parts,
            "laid_out": list(preview.laid_out),
            "ok": preview.pdf is not None,
            "problems": _json_problems(preview.problems, ref.path),
            "plan": preview.plan,
        }

    async def preview(self, request: Request) -> Response:
        ref = self.ref(request)
        return JSONResponse(await run_in_threadpool(self._preview_json, ref))

    async def preview_pdf(self, request: Request) -> Response:
        ref = self.ref(request)
        preview = await run_in_threadpool(self.previewer.current, ref)
        if preview.pdf is None or not preview.pdf.is_file():
            raise HTTPException(404, "还没有可预览的 PDF：数据有错误，请先改正。")
        return FileResponse(
            preview.pdf,
            media_type="application/pdf",
            headers={"Cache-Control": "no-store", "Content-Disposition": "inline"},
        )

    # ------------------------------------------------------------ actions

    async def validate(self, request: Request) -> Response:
        ref = self.ref(request)

        def run() -> dict[str, Any]:
            from generator.build.pipeline import prepare
            from generator.yearly.review import load_previous, review

            try:
                dataset, _, warnings = prepare(ref.path)
            except DataError as error:
                return {"ok": False, "problems": _json_problems(error.problems, ref.path)}
            previous, notes = load_previous(dataset)
            problems = [*warnings, *notes, *review(dataset, previous)]
            return {
                "ok": True,
                "problems": _json_problems(problems, ref.path),
                "previous": str(previous.root.name) if previous else None,
            }

        return JSONResponse(await run_in_threadpool(run))

    async def build(self, request: Request) -> Response:
        ref = self.ref(request)

        def run() -> dict[str, Any]:
            from generator.build.pipeline import build

            with self.previewer.lock:
                result = build(ref.path, self.workspace.output_dir(ref))
            return {
                "files": [
                    {
                        "format": f.format,
                        "bytes": f.bytes,
                        "pages": f.pages,
                        "url": f"{request.url_for('download', office=ref.office, year=ref.year, fmt=f.format).path}",
                    }
                    for f in result.files
                ],
                "problems": _json_problems(list(result.warnings), ref.path),
            }

        return JSONResponse(await run_in_threadpool(run))

    async def download(self, request: Request) -> Response:
        ref = self.ref(request)
        fmt = request.path_params["fmt"]
        if fmt not in ("docx", "pdf"):
            raise HTTPException(404, "没有这种格式。")
        name = f"{ref.office}-{ref.year}.{fmt}"
        path = self.workspace.output_dir(ref) / name
        if not path.is_file() or path.is_symlink():
            raise HTTPException(404, "还没有生成，请先点“生成”。")
        return FileResponse(path, filename=name)

    async def new_year(self, request: Request) -> Response:
        ref = self.ref(request)

        def run() -> dict[str, Any]:
            from generator.yearly.checklist import checklist
            from generator.yearly.newyear import new_year

            result = new_year(ref.path)
            target = result.target.name
            return {
                "url": request.url_for("dataset", office=ref.office, year=target).path,
                "target": f"{ref.office}/{target}",
                "checklist": checklist(result),
            }

        return JSONResponse(await run_in_threadpool(run))

    async def publish(self, request: Request) -> Response:
        ref = self.ref(request)

        def run() -> dict[str, Any]:
            from generator.archive.publish import publish

            with self.previewer.lock:
                result = publish(ref.path, self.workspace.archive)
            return {
                "folder": result.folder.name,
                "revision": result.revision,
                "created": result.created,
                "problems": _json_problems(list(result.warnings), ref.path),
                "revisions": [r.__dict__ for r in status.revisions(self.workspace, ref)],
            }

        return JSONResponse(await run_in_threadpool(run))

    async def diff(self, request: Request) -> Response:
        ref = self.ref(request)
        previous = status.previous_year(ref)
        if previous is None:
            return HTMLResponse("<p>没有上一年度的数据集，无从比较。</p>")

        def run() -> str:
            from generator.yearly.diff import compare
            from generator.yearly.diff.htmlpage import render

            return render(compare(previous, ref.path))

        return HTMLResponse(await run_in_threadpool(run))

    async def create(self, request: Request) -> Response:
        body = await _json_body(request)
        office, name, year = (str(body.get(k, "")).strip() for k in ("office", "name", "year"))
        if not office or not name or not year.isdigit():
            return JSONResponse(
                {
                    "problems": [
                        {
                            "message": "请填写目录名、单位简称和四位数的年度",
                            "field": None,
                            "file": None,
                            "severity": "错误",
                        }
                    ]
                },
                422,
            )
        target = self.workspace.new_dataset_dir(office, year)

        def run() -> dict[str, Any]:
            from generator.yearly.scaffold import scaffold

            scaffold(target, name, int(year))
            return {"url": request.url_for("dataset", office=office, year=year).path}

        return JSONResponse(await run_in_threadpool(run))


async def _json_body(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise DataError([Problem("请求的内容不是有效的 JSON")]) from None
    if not isinstance(body, dict):
        raise DataError([Problem("请求的内容应为 JSON 对象")])
    return body


def _as_page(request: Request, status: int, messages: list[str]) -> Response | None:
    """A page opened in the browser gets its error as a page, not as JSON."""
    if request.method != "GET" or "text/html" not in request.headers.get("accept", ""):
        return None
    editor: Editor = request.app.state.editor
    return editor.pages_error(messages, status)


async def _data_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, DataError)
    if page := _as_page(request, 404, [p.message for p in error.problems]):
        return page
    root = request.app.state.editor.workspace.root
    problems = _json_problems(error.problems, root) or [
        {"message": "请求无效", "file": None, "field": None, "severity": "错误", "text": "请求无效"}
    ]
    return JSONResponse({"problems": problems}, 422)


async def _edit_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, editing.EditError)
    return JSONResponse({"problems": error.problems}, 422)


async def _stale(request: Request, error: Exception) -> Response:
    message = f"{error} 在本页打开之后已被修改（可能在另一个标签页或其他程序中），本次未保存，以免覆盖那些修改。请重新载入页面后再改。"
    return JSONResponse({"stale": True, "message": message}, 409)


async def _outside(request: Request, error: Exception) -> Response:
    if page := _as_page(request, 404, ["路径不在数据目录之内或经过符号链接，已拒绝。"]):
        return page
    return JSONResponse({"message": "路径不在数据目录之内或经过符号链接，已拒绝。"}, 404)


async def _http(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    detail = (
        error.detail
        if not error.detail.isascii()
        else "找不到该页面。"
        if error.status_code == 404
        else "请求无效。"
    )
    if page := _as_page(request, error.status_code, [detail]):
        return page
    return JSONResponse({"message": detail}, error.status_code)


async def _internal(request: Request, error: Exception) -> Response:
    return JSONResponse({"message": f"内部错误（{type(error).__name__}），操作未完成。"}, 500)


def create_app(workspace: Workspace, guard: Guard, preview_dir: Path | None = None) -> Starlette:
    editor = Editor(workspace, guard, preview_dir)
    d = "/d/{office}/{year}"
    routes = [
        Route("/", editor.index, name="index"),
        Route("/new", editor.create, methods=["POST"], name="create"),
        Route(d + "/", editor.dataset, name="dataset"),
        Route(d + "/check", editor.check, methods=["POST"]),
        Route(d + "/save", editor.save, methods=["POST"]),
        Route(d + "/preview", editor.preview),
        Route(d + "/preview.pdf", editor.preview_pdf),
        Route(d + "/validate", editor.validate, methods=["POST"]),
        Route(d + "/build", editor.build, methods=["POST"]),
        Route(d + "/download/{fmt}", editor.download, name="download"),
        Route(d + "/new-year", editor.new_year, methods=["POST"]),
        Route(d + "/publish", editor.publish, methods=["POST"]),
        Route(d + "/diff", editor.diff),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(GuardMiddleware, guard=guard)],
        exception_handlers={
            DataError: _data_error,
            editing.EditError: _edit_error,
            yamlsave.StaleError: _stale,
            OutsideError: _outside,
            HTTPException: _http,
            Exception: _internal,
        },
    )
    app.state.editor = editor
    return app
