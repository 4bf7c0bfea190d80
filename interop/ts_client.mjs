// Official TypeScript MCP client against a Streamable HTTP server (rmcp-core's interop tests).
//
//   node ts_client.mjs URL [VARIANT] [--calls N]
//
// VARIANT picks the SDK and protocol era:
//   v1         @modelcontextprotocol/sdk (v1), the 2025 `initialize` handshake (default)
//   v2-legacy  @modelcontextprotocol/client (v2), the 2025 `initialize` handshake
//   v2-auto    @modelcontextprotocol/client, `server/discover` probe with fallback
//   v2-2026    @modelcontextprotocol/client, pinned to 2026-07-28 (stateless)
//
// Lists the tools (add, sub, mul and div must be there), calls `add` with a=2, b=3 (its text must be
// the number 5), prints one JSON line with what it saw and exits non-zero on any mismatch or error.
// With `--calls N` (default 1) it makes N calls on one connection, the k-th (from 0)
// `add(2, 3 + k)`, each of which must give 5 + k: behind a load balancer they reach several
// server instances.

const usage = 'usage: node ts_client.mjs URL [v1|v2-legacy|v2-auto|v2-2026] [--calls N]';
const args = process.argv.slice(2);
let calls = 1;
const callsAt = args.indexOf('--calls');
if (callsAt >= 0) {
    calls = Number(args[callsAt + 1]);
    args.splice(callsAt, 2);
    if (!Number.isInteger(calls) || calls < 1) {
        console.error(usage);
        process.exit(2);
    }
}
const [url, variant = 'v1'] = args;
if (!url) {
    console.error(usage);
    process.exit(2);
}

const EXPECTED_VERSION = { v1: '2025-11-25', 'v2-legacy': '2025-11-25', 'v2-2026': '2026-07-28' };

async function connect() {
    const info = { name: 'interop-ts-client', version: '1.0.0' };
    if (variant === 'v1') {
        const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
        const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
        const client = new Client(info);
        const transport = new StreamableHTTPClientTransport(new URL(url));
        await client.connect(transport);
        return { client, version: transport.protocolVersion ?? client.getNegotiatedProtocolVersion?.() };
    }
    const modes = { 'v2-legacy': 'legacy', 'v2-auto': 'auto', 'v2-2026': { pin: '2026-07-28' } };
    if (!(variant in modes)) throw new Error(`unknown variant ${variant}`);
    const { Client, StreamableHTTPClientTransport } = await import('@modelcontextprotocol/client');
    const client = new Client(info, { versionNegotiation: { mode: modes[variant] } });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    return { client, version: client.getNegotiatedProtocolVersion(), era: client.getProtocolEra() };
}

const problems = [];
const report = { client: 'typescript', variant };
try {
    const { client, version, era } = await connect();
    report.protocolVersion = version;
    if (era !== undefined) report.era = era;
    const { tools } = await client.listTools();
    report.tools = tools.map((t) => t.name);
    const result = await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } });
    report.add = result.content?.map((c) => c.text).join(' ');
    report.addIsError = result.isError ?? false;
    // The further calls of `--calls N`, each with its own sum so that a mixed-up answer shows.
    for (let k = 1; k < calls; k++) {
        const extra = await client.callTool({ name: 'add', arguments: { a: 2, b: 3 + k } });
        const text = extra.content?.map((c) => c.text).join(' ');
        if (Number(text) !== 5 + k || extra.isError) problems.push(`add(2, ${3 + k}) gave ${JSON.stringify(extra)}`);
    }
    report.calls = calls;
    await client.close();

    for (const name of ['add', 'sub', 'mul', 'div']) {
        if (!report.tools.includes(name)) problems.push(`tool ${name} not listed`);
    }
    // The text is the sum; accept any spelling of the number 5 ("5", "5.0").
    if (Number(report.add) !== 5 || report.addIsError) problems.push(`add(2, 3) gave ${JSON.stringify(result)}`);
    const want = EXPECTED_VERSION[variant];
    if (want && version !== want) problems.push(`negotiated ${version}, expected ${want}`);
} catch (err) {
    problems.push(`error: ${err?.stack ?? err}`);
}
report.ok = problems.length === 0;
if (problems.length) report.problems = problems;
console.log(JSON.stringify(report));
process.exit(report.ok ? 0 : 1);
