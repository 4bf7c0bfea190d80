#!/usr/bin/env python3
"""Writes fuzz/corpus-seed/<target>/ from the specification's examples (spec/2026-07-28/examples)
and a few hand-written inputs. Rerun after adding examples; the output is committed, small."""
import hashlib, json, os, re, shutil, struct
from pathlib import Path

here = Path(__file__).resolve().parent
examples = here.parent / "spec" / "2026-07-28" / "examples"
out = here / "corpus-seed"

def load():
    docs = {}
    for folder in sorted(examples.iterdir()):
        if folder.is_dir():
            docs[folder.name] = [json.loads(f.read_text()) for f in sorted(folder.glob("*.json"))]
    return docs

def write(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = out / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()[:16]).write_bytes(data)

def compact(v):
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)

docs = load()
messages = [v for vs in docs.values() for v in vs if isinstance(v, dict) and v.get("jsonrpc") == "2.0"]
# The 2025-era handshake, which the 2026 examples lack.
messages.append({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25",
                 "capabilities": {}, "clientInfo": {"name": "c", "version": "1"}}})
messages.append({"jsonrpc": "2.0", "method": "notifications/initialized"})

shutil.rmtree(out, ignore_errors=True)
for m in messages:
    write("jsonrpc", compact(m))
    write("framing", b"\x40\x00" + bytes([3, 17, 0, 64, 5, 9, 1, 2]) + (compact(m) + "\r\n\n" + compact(m) + "\n").encode())
    write("sse", b"\x80\x00" + bytes([7, 0, 3, 64, 1, 9, 2, 11]) + ("id: 0-1\nretry: 100\ndata:\n\nevent: message\nid: 0-2\ndata: " + compact(m) + "\r\n\r\n").encode())
write("jsonrpc_batch", b"\x08\x00" + compact(messages[:3]).encode())
write("jsonrpc_batch", b"\x01\x00" + compact(messages[3:6]).encode())

# The model target: the first byte is the type's index in MODEL_TYPES (rmcp-core/src/fuzz_entry.rs).
entry = (here.parent / "rmcp-core" / "src" / "fuzz_entry.rs").read_text()
table = entry[entry.index("pub const MODEL_TYPES"):]
names = re.findall(r'\("([A-Za-z:]+)", round_trip::<', table[: table.index("];")])
for folder, values in docs.items():
    for v in values:
        body = v.get("params", v.get("result", v)) if isinstance(v, dict) and "jsonrpc" in v else v
        target_name = folder[: -len("Response")] if folder.endswith("ResultResponse") else folder
        if target_name in names:
            write("model", bytes([names.index(target_name)]) + compact(body).encode())
        if folder == "InputResponses":
            write("request_state", compact(body))

for h in ['Bearer error="insufficient_scope", scope="files:read files:write", resource_metadata="https://mcp.example/.well-known/oauth-protected-resource"',
          'DPoP algs="ES256", error="use_dpop_nonce", error_description="say \\"hi\\""', 'Bearer realm=mcp,, scope=a']:
    write("www_authenticate", h)

asm = {"issuer": "https://as.example", "authorization_endpoint": "https://as.example/authorize",
       "token_endpoint": "https://as.example/token", "registration_endpoint": "https://as.example/register",
       "code_challenge_methods_supported": ["S256"], "token_endpoint_auth_methods_supported": ["none", "private_key_jwt"],
       "scopes_supported": ["a", "b"], "dpop_signing_alg_values_supported": ["ES256"], "client_id_metadata_document_supported": True}
prm = {"resource": "https://mcp.example/mcp", "authorization_servers": ["https://as.example"], "scopes_supported": ["a"],
       "bearer_methods_supported": ["header"]}
token = {"access_token": "at", "token_type": "DPoP", "expires_in": 3600, "refresh_token": "rt", "scope": "a b"}
write("oauth", b"\x00" + compact(asm).encode())
write("oauth", b"\x01" + compact(prm).encode())
write("oauth", b"\x02" + compact(token).encode())
write("oauth", b"\x02" + compact({**token, "expires_in": 18446744073709551615}).encode())

for t, u in [("file:///{+path}", "file:///notes/a%20b.md"), ("users://{id}/posts/{post}", "users://42/posts/7"),
             ("file:///{name}", "file:///..%2Fetc"), ("db://{table}/{+rest}.json", "db://t/a/b.json")]:
    write("uri_template", f"{t}\0{u}")

write("cursor", b"\x07\x03MQ")
write("cursor", b"\xff\x10" + b"MTI4")
write("cursor", b"\x00\x00")

write("http_headers", "\x00\x00host: localhost:8000\norigin: http://localhost:5173\naccept: application/json, text/event-stream\n"
      "mcp-method: tools/call\nmcp-name: echo\nmcp-param-region: =?base64?SGVsbG8sIOS4lueVjA==?=\nmcp-param-n: 42.0\n"
      "x-allow: localhost\nx-allow: [::1]:80\n\n" + compact({"name": "echo", "arguments": {"region": "Hello, 世界", "n": 42, "flag": True, "deep": {"x": 1.5}}}))
write("http_headers", "\x02\x00host: example.com:8443\nx-allow: EXAMPLE.com\naccept: text/*;q=0.1, application/json\n\n" + compact({"uri": "file:///a"}))
