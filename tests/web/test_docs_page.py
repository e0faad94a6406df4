"""``/docs`` works offline: one HTML page built from the schema, every route on it, nothing fetched from elsewhere."""

from __future__ import annotations

import html
from html.parser import HTMLParser

import pytest
from webtools import HOOKS_WEB, Http

from src.plugins.hooks_web import runtime

pytestmark = pytest.mark.timeout(120)

KEY = "docs-key-51c0ffee77"


class Page(HTMLParser):
    """Every tag, attribute and text chunk of a page, plus the ids it defines."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.ids: set[str] = set()
        self.texts: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if "id" in attributes:
            self.ids.add(attributes["id"])

    def handle_data(self, data: str) -> None:
        self.texts.append(data)


def _server(web_controller, samples, **options) -> Http:
    controller = web_controller({"hooks_web": HOOKS_WEB, "web_sample": samples("web_sample")}, **options)
    server = runtime.get(controller)
    assert server is not None, controller.warmup_status().as_dict()
    return Http(f"http://127.0.0.1:{server.port}", server.settings.api_key)


@pytest.fixture
def open_api(web_controller, samples):
    return _server(web_controller, samples)


@pytest.fixture
def keyed_api(web_controller, samples, monkeypatch):
    monkeypatch.setenv("SLOPPY_API_KEY", KEY)
    http = _server(web_controller, samples)
    assert http.session.headers.get("X-API-Key") == KEY
    return http


def _operations(schema: dict) -> list[tuple[str, str, dict]]:
    return [(path, method, op) for path, ops in schema["paths"].items() for method, op in ops.items()]


def _section(text: str, method: str, path: str) -> str:
    """The page's block for one operation (from its anchor to the next one)."""
    anchor = f"id='{method}-" + "".join(ch if ch.isalnum() else "-" for ch in path).strip("-") + "'"
    start = text.index(anchor)
    end = text.find("<div class='op'", start + 1)
    return text[start : end if end != -1 else len(text)]


def test_docs_lists_every_route_of_the_schema_with_its_parameters(open_api):
    answer = open_api.get("/docs")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    text = answer.text
    schema = open_api.get("/openapi.json").json()
    operations = _operations(schema)
    assert len(operations) >= 15 and ("/api/plugins/web_sample/hello", "get") in {(p, m) for p, m, _ in operations}
    page = Page(text)
    assert f"Endpoints ({len(operations)})" in text
    for path, method, op in operations:
        block = _section(text, method, path)
        assert f"{method.upper()}</span> <code>{html.escape(path)}</code>" in block, (method, path)
        assert html.escape(op["summary"], quote=True) in block, (method, path)
        for parameter in op.get("parameters", []):
            assert f"<code>{html.escape(parameter['name'])}</code></td><td>{parameter['in']}</td>" in block
        for code in op.get("responses", {}):
            assert f"<code>{code}</code>" in block
        assert "API key: no (no key on this server)" in block
    # The index links to every block.
    links = {a["href"] for tag, a in page.tags if tag == "a"}
    assert {f"#{anchor}" for anchor in page.ids} == links and len(links) == len(operations)
    # A parameter with its type, range and default, and a request body's fields.
    commands = _section(text, "post", "/api/commands/{command_id}")
    assert "<code>wait</code></td><td>query</td><td>number (0–600, default 30.0)</td><td>no</td>" in commands
    assert "<code>command_id</code></td><td>path</td><td>string (1–200)</td><td>yes</td>" in commands
    send = _section(text, "post", "/api/send")
    assert "Request body (application/json, required): SendRequest" in send
    assert "<code>message</code></td><td>string" in send


def test_docs_reference_nothing_outside_the_page(open_api):
    text = open_api.get("/docs").text
    page = Page(text)
    tags = {tag for tag, _ in page.tags}
    assert not tags & {"script", "link", "img", "iframe", "object", "embed"}, tags
    for tag, attributes in page.tags:
        for name in ("href", "src", "action"):
            value = attributes.get(name)
            assert value is None or value.startswith("#"), (tag, name, value)
    lowered = text.lower()
    for external in ("http://", "https://", "//cdn", "url(", "@import", "swagger", "redoc"):
        assert external not in lowered, external


def test_docs_say_which_routes_need_the_key_on_a_keyed_server(keyed_api):
    text = keyed_api.get("/docs").text
    schema = keyed_api.get("/openapi.json").json()
    assert "requires the API key in the <code>X-API-Key</code> header" in text
    for path, method, _ in _operations(schema):
        assert "API key: yes" in _section(text, method, path), (method, path)
    assert Http(keyed_api.url).get("/docs").status_code == 401  # the page itself wants the key too


def test_redoc_and_swagger_assets_are_not_served(open_api):
    for path in ("/redoc", "/docs/oauth2-redirect", "/docs/swagger-ui.css"):
        assert open_api.get(path).status_code == 404, path
    assert open_api.get("/openapi.json").status_code == 200
