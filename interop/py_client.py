"""Official Python MCP client (PyPI `mcp`) against a Streamable HTTP server (rmcp-core's interop tests).

    python py_client.py URL [MODE] [--calls N]

MODE is the client's connect mode: `legacy` (the 2025 `initialize` handshake, the default),
`auto` (`server/discover` probe with fallback) or `2026-07-28` (pinned, stateless).

Lists the tools (add, sub, mul and div must be there), calls `add` with a=2, b=3 (its text must be
the number 5), prints one JSON line with what it saw and exits non-zero on any mismatch or error.
With `--calls N` (default 1) it makes N calls in one session, the k-th (from 0) `add(2, 3 + k)`,
each of which must give 5 + k: behind a load balancer they reach several server instances.
"""

import asyncio
import json
import sys
import traceback

from mcp import Client

EXPECTED_VERSION = {"legacy": "2025-11-25", "2026-07-28": "2026-07-28"}


def _as_number(text: str) -> float | None:
    """The number a tool's text spells ("5", "5.0"), or None."""
    try:
        return float(text)
    except ValueError:
        return None


def _is_five(text: str) -> bool:
    """The text of `add(2, 3)`: any spelling of the number 5 ("5", "5.0")."""
    return _as_number(text) == 5


async def run(url: str, mode: str, calls: int) -> dict:
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
            # The further calls of `--calls N`, each with its own sum so that a mixed-up answer shows.
            for k in range(1, calls):
                extra = await client.call_tool("add", {"a": 2, "b": 3 + k})
                text = " ".join(getattr(c, "text", "?") for c in extra.content)
                if _as_number(text) != 5 + k or extra.is_error:
                    problems.append(f"add(2, {3 + k}) gave {extra!r}")
            report["calls"] = calls
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


USAGE = "usage: python py_client.py URL [legacy|auto|2026-07-28] [--calls N]"


def main() -> int:
    args = sys.argv[1:]
    calls = 1
    if "--calls" in args:
        at = args.index("--calls")
        try:
            calls = int(args[at + 1])
        except (IndexError, ValueError):
            calls = 0
        del args[at : at + 2]
        if calls < 1:
            print(USAGE, file=sys.stderr)
            return 2
    if not args:
        print(USAGE, file=sys.stderr)
        return 2
    report = asyncio.run(run(args[0], args[1] if len(args) > 1 else "legacy", calls))
    print(json.dumps(report), flush=True)
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
