"""Official Python MCP client (PyPI `mcp`) against a server started as a stdio command, for
rmcp-cli's tests of `rmcp proxy --url` (the Python client is the stdio-only host).

    python py_stdio_client.py MODE COMMAND [ARGS...]

MODE is `legacy` (2025 handshake), `auto` or `2026-07-28`. Lists the tools, calls `add` with
a=2, b=3, and prints one JSON line: {"protocolVersion", "tools", "add", "addIsError"}. Exits
non-zero on any error.
"""

import asyncio
import json
import sys

from mcp import Client, StdioServerParameters


async def run(mode: str, command: str, args: list[str]) -> dict:
    server = StdioServerParameters(command=command, args=args)
    async with Client(server, mode=mode, read_timeout_seconds=20) as client:
        tools = await client.list_tools()
        result = await client.call_tool("add", {"a": 2, "b": 3})
        return {
            "protocolVersion": client.protocol_version,
            "tools": [t.name for t in tools.tools],
            "add": " ".join(getattr(c, "text", "?") for c in result.content),
            "addIsError": bool(result.is_error),
        }


def main() -> int:
    if len(sys.argv) < 3:
        print("usage: python py_stdio_client.py MODE COMMAND [ARGS...]", file=sys.stderr)
        return 2
    report = asyncio.run(run(sys.argv[1], sys.argv[2], sys.argv[3:]))
    print(json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
