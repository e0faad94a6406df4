"""``/docs``: the API reference as one plain HTML page, built from the app's own OpenAPI schema.

Swagger UI and ReDoc load their JavaScript and CSS from a CDN, so they are
blank on a machine without network, which is where Sloppy runs. This page has
no script and no external asset (inline CSS only): for every operation it
shows the method, the path, the summary, the parameters, the request body's
fields, the answers, and whether it needs the API key. It is rebuilt on every
request, so routes mounted by plugins later are listed too.
"""

from __future__ import annotations

import html
from typing import Any

METHODS = ("get", "post", "put", "patch", "delete", "head", "options")

STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 70em; padding: 0 1em; color: #1d1d22; }
h1 { margin-bottom: 0.2em; } .lead { color: #555; white-space: pre-line; }
table { border-collapse: collapse; width: 100%; margin: 0.4em 0 1.2em; }
th, td { text-align: left; vertical-align: top; padding: 0.3em 0.6em; border-bottom: 1px solid #ddd; }
th { background: #f3f3f6; } code { font: 13px ui-monospace, monospace; }
.op { border: 1px solid #ccd; border-radius: 6px; margin: 1em 0; padding: 0.6em 1em; }
.op h3 { margin: 0 0 0.3em; font-size: 15px; }
.method { display: inline-block; min-width: 4.5em; font: bold 12px ui-monospace, monospace; text-transform: uppercase; }
.get { color: #1a6f2f; } .post { color: #1d4fa0; } .delete { color: #a02020; } .put, .patch { color: #8a5a00; }
.key { font-size: 12px; padding: 0.1em 0.5em; border-radius: 4px; background: #eee; }
.key.yes { background: #ffe3b3; } .muted { color: #777; }
"""


def render(schema: dict, key_required: bool) -> str:
    """The whole page for ``schema`` (``app.openapi()``); ``key_required``: does this server have a key."""
    info = schema.get("info", {})
    title = str(info.get("title", "API"))
    operations = list(_operations(schema))
    schemes = schema.get("components", {}).get("securitySchemes", {})
    headers = sorted({str(s.get("name")) for s in schemes.values() if s.get("in") == "header" and s.get("name")})
    key_line = (
        f"This server requires the API key in the {_code(', '.join(headers) or 'key')} header on every route "
        "marked “yes”."
        if key_required
        else "This server has no API key (it listens on a loopback address): no route needs one here. "
        "A server on another host always has one."
    )
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{_e(title)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{_e(title)} <span class='muted'>{_e(info.get('version', ''))}</span></h1>",
        f"<p class='lead'>{_e(info.get('description', '')).strip()}</p>",
        f"<p>{key_line} The machine-readable schema is at {_code('/openapi.json')}.</p>",
        _index(operations, key_required),
    ]
    parts += [_operation(path, method, op, schema, key_required) for path, method, op in operations]
    parts.append("</body></html>")
    return "\n".join(parts)


def _operations(schema: dict) -> Any:
    for path, item in sorted(schema.get("paths", {}).items()):
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def _needs_key(op: dict, key_required: bool) -> str:
    if not op.get("security"):
        return "no"
    return "yes" if key_required else "no (no key on this server)"


def _index(operations: list, key_required: bool) -> str:
    rows = [
        "<tr>"
        f"<td><span class='method {method}'>{method.upper()}</span></td>"
        f"<td><a href='#{_anchor(method, path)}'><code>{_e(path)}</code></a></td>"
        f"<td>{_e(op.get('summary', ''))}</td>"
        f"<td>{_e(_needs_key(op, key_required))}</td>"
        "</tr>"
        for path, method, op in operations
    ]
    head = "<tr><th>Method</th><th>Path</th><th>Summary</th><th>API key</th></tr>"
    return f"<h2>Endpoints ({len(operations)})</h2><table class='index'>{head}{''.join(rows)}</table>"


def _operation(path: str, method: str, op: dict, schema: dict, key_required: bool) -> str:
    needs = _needs_key(op, key_required)
    out = [
        f"<div class='op' id='{_anchor(method, path)}'>",
        (
            f"<h3><span class='method {method}'>{method.upper()}</span> <code>{_e(path)}</code> "
            f"<span class='key {'yes' if needs == 'yes' else ''}'>API key: {_e(needs)}</span></h3>"
        ),
        f"<div>{_e(op.get('summary', ''))}</div>",
    ]
    if op.get("description"):
        out.append(f"<p class='muted'>{_e(op['description'])}</p>")
    params = op.get("parameters", [])
    if params:
        out.append("<table><tr><th>Parameter</th><th>In</th><th>Type</th><th>Required</th><th>Description</th></tr>")
        for p in params:
            out.append(
                f"<tr><td><code>{_e(p.get('name', ''))}</code></td><td>{_e(p.get('in', ''))}</td>"
                f"<td>{_e(_type(p.get('schema', {}), schema))}</td><td>{'yes' if p.get('required') else 'no'}</td>"
                f"<td>{_e(p.get('description') or p.get('schema', {}).get('description', ''))}</td></tr>"
            )
        out.append("</table>")
    body = op.get("requestBody")
    if body:
        out.append(_body(body, schema))
    responses = op.get("responses", {})
    if responses:
        items = "".join(
            f"<li><code>{_e(code)}</code> {_e(r.get('description', ''))}</li>" for code, r in sorted(responses.items())
        )
        out.append(f"<div>Answers:<ul>{items}</ul></div>")
    out.append("</div>")
    return "\n".join(out)


def _body(body: dict, schema: dict) -> str:
    content = body.get("content", {})
    media, spec = next(iter(content.items()), ("", {}))
    target = _resolve(spec.get("schema", {}), schema)
    required = "required" if body.get("required") else "optional"
    lines = [f"<div>Request body ({_e(media)}, {required}): {_e(_type(spec.get('schema', {}), schema))}</div>"]
    properties = target.get("properties", {})
    if properties:
        needed = set(target.get("required", []))
        lines.append("<table><tr><th>Field</th><th>Type</th><th>Required</th><th>Description</th></tr>")
        for name, prop in properties.items():
            lines.append(
                f"<tr><td><code>{_e(name)}</code></td><td>{_e(_type(prop, schema))}</td>"
                f"<td>{'yes' if name in needed else 'no'}</td><td>{_e(prop.get('description', ''))}</td></tr>"
            )
        lines.append("</table>")
    return "\n".join(lines)


def _resolve(node: dict, schema: dict) -> dict:
    ref = node.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        return schema.get("components", {}).get("schemas", {}).get(ref.rsplit("/", 1)[1], {})
    return node


def _type(node: dict, schema: dict) -> str:
    """A short type text: ``string``, ``number (0–600, default 30)``, ``StateChange``, ``string | null``…"""
    if "$ref" in node:
        return str(node["$ref"]).rsplit("/", 1)[1]
    if "anyOf" in node:
        return " | ".join(_type(option, schema) for option in node["anyOf"])
    kind = str(node.get("type", "any"))
    if kind == "array":
        kind = f"array of {_type(node.get('items', {}), schema)}"
    notes = []
    low, high = node.get("minimum", node.get("minLength")), node.get("maximum", node.get("maxLength"))
    if low is not None or high is not None:
        notes.append(f"{_num(low) if low is not None else ''}–{_num(high) if high is not None else ''}")
    if "default" in node:
        notes.append(f"default {node['default']!r}")
    if "enum" in node:
        notes.append("one of " + ", ".join(map(str, node["enum"])))
    return f"{kind} ({', '.join(notes)})" if notes else kind


def _num(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _anchor(method: str, path: str) -> str:
    cleaned = "".join(ch if ch.isalnum() else "-" for ch in path).strip("-")
    return f"{method}-{cleaned}"


def _code(text: str) -> str:
    return f"<code>{_e(text)}</code>"


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)
