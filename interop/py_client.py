"""Official Python MCP client (PyPI `mcp`) against a Streamable HTTP server (rmcp-core's interop tests).

    python py_client.py URL [MODE]

MODE is the client's connect mode: `legacy` (the 2025 `initialize` handshake, the default),
`auto` (`server/discover` probe with fallback) or `2026-07-28` (pinned, stateless).

Lists the tools (add, sub, mul and div must be there), calls `add` with a=2, b=3 (its text must be
the number 5), prints one JSON line with what it saw and exits non-zero on any mismatch or error.
"""

import asyncio
import json
import sys
import traceback

from mcp import Client

EXPECTED_VERSION = {"legacy": "2025-11-25", "2026-07-28": "2026-07-28"}


def _is_five(text: str) -> bool:
    """The text of `add(2, 3)`: any spelling of the number 5 ("5", "5.0")."""
    try:
        return float(text) == 5
    except ValueError:
        return False


async def run(url: str, mode: str) -> dict:
    report: dict = {"client": "python", "mode": mode}
    problems: list[str] = []
    try:
        async with Client(url, mode=mode, read_timeout_seconds=20) as client:
            report["protocolVersion"] = client.protocol_version
            tools = await client.list_tools()
            report["tools"] = [t.name for t in tools.tools]
            result = await client.call_tool("add", {"a": 2, "b": 3})
            report["add"] = " ".join(getattr(c, "text", "?") for c in result.content)
            report["addIsError"] = bool(result.is_error)
        for name in ("add", "sub", "mul", "div"):
            if name not in report["tools"]:
                problems.append(f"tool {name} not listed")
        if not _is_five(report["add"]) or report["addIsError"]:
            problems.append(f"add(2, 3) gave {result!r}")
        want = EXPECTED_VERSION.get(mode)
        if want and report["protocolVersion"] != want:
            problems.append(f"negotiated {report['protocolVersion']}, expected {want}")
    except BaseException as err:  # noqa: BLE001 - an ExceptionGroup from anyio included
        problems.append("error: " + "".join(traceback.format_exception(err)))
    report["ok"] = not problems
    if problems:
        report["problems"] = problems
    return report


def main() -> int:
    if len(sys.argv) < 2:
        print("usage: python py_client.py URL [legacy|auto|2026-07-28]", file=sys.stderr)
        return 2
    report = asyncio.run(run(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "legacy"))
    print(json.dumps(report), flush=True)
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
