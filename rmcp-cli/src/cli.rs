//! The command line: every flag and subcommand, with the examples `--help` shows.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Shown under the top-level `--help`: how a server is named.
const CONNECTING: &str = "\
Naming the server (one of):
  rmcp tools list -- node server.js --flag      a command, started as a child process (stdio)
  rmcp tools list --url http://127.0.0.1:8000/mcp   a Streamable HTTP endpoint
  rmcp tools list --config mcp.json --server notes  an entry of an mcpServers JSON file

Examples:
  rmcp info -- ./calculator
  rmcp tools call add a=2 b=3 -- ./calculator
  rmcp --output json tools list --url http://127.0.0.1:8000/mcp
  rmcp watch --url http://127.0.0.1:8000/mcp
  rmcp proxy --url https://example.com/mcp            (stdio -> HTTP, for stdio-only hosts)
  rmcp proxy --listen 127.0.0.1:8000 -- ./calculator  (a stdio server over HTTP)

Exit status: 0 on success, 1 on any error or a tool result with isError, 2 on a usage error,
130 when interrupted with Ctrl-C.";

/// A command-line MCP client and bridge: inspect, call, watch and proxy any MCP server.
#[derive(Debug, Parser)]
#[command(name = "rmcp", version, after_help = CONNECTING, propagate_version = true)]
pub struct Cli {
    /// How to reach the server and how to talk to it.
    #[command(flatten)]
    pub conn: ConnectArgs,
    /// `human` (tables, plain text) or `json` (one JSON document per result, for scripts).
    #[arg(long, short = 'o', global = true, value_enum, default_value_t = OutputFormat::Human)]
    pub output: OutputFormat,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Flags that say which server to reach and how to behave towards it.
#[derive(Debug, Args, Clone, Default)]
pub struct ConnectArgs {
    /// The server's Streamable HTTP endpoint.
    #[arg(long, global = true, value_name = "URL")]
    pub url: Option<String>,
    /// An `mcpServers` JSON file (the format MCP hosts use); pick the entry with `--server`.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The entry of `--config` to connect to.
    #[arg(long, global = true, value_name = "NAME")]
    pub server: Option<String>,
    /// An HTTP header for every request, `Name: value` (repeat for more).
    #[arg(long = "header", short = 'H', global = true, value_name = "NAME:VALUE")]
    pub headers: Vec<String>,
    /// A bearer token for HTTP servers (`Authorization: Bearer TOKEN`).
    #[arg(long, global = true, env = "RMCP_BEARER", hide_env_values = true, value_name = "TOKEN")]
    pub bearer: Option<String>,
    /// The protocol era: `auto` tries 2026 (`server/discover`) and falls back to 2025.
    #[arg(long, global = true, value_enum, default_value_t = Era::Auto)]
    pub era: Era,
    /// How to answer the server's elicitation requests; `ask` prompts on a terminal and declines
    /// when there is none.
    #[arg(long, global = true, value_enum, default_value_t = ElicitMode::Ask)]
    pub elicit: ElicitMode,
    /// Answer sampling requests with this shell command: it gets the request as JSON on stdin
    /// and prints the result JSON (`{"role":"assistant","content":{...},"model":"..."}`).
    #[arg(long, global = true, value_name = "CMD")]
    pub sampling_cmd: Option<String>,
    /// Give up on a request after this many seconds (default: wait; Ctrl-C cancels).
    #[arg(long, global = true, value_name = "SECONDS")]
    pub timeout: Option<f64>,
    /// The server command given after `--` (filled in by `main`, not by clap).
    #[arg(skip)]
    pub command: Vec<String>,
}

/// The protocol era to speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Era {
    /// 2026-07-28 if the server speaks it, else 2025-11-25.
    #[default]
    Auto,
    /// The stateful 2025-11-25 protocol (initialize handshake).
    #[value(name = "2025")]
    V2025,
    /// The stateless 2026-07-28 protocol only.
    #[value(name = "2026")]
    V2026,
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Tables and plain text for people.
    Human,
    /// JSON for scripts.
    Json,
}

/// How elicitation requests are answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ElicitMode {
    /// Prompt for each field on a terminal; decline when stdin is not one.
    #[default]
    Ask,
    /// Accept with the schema's defaults (fails a required field without one).
    Accept,
    /// Decline every request.
    Decline,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The commands that ask a connected server one thing.
    #[command(flatten)]
    Ask(AskCommand),
    /// Print the server's notifications as they arrive, until Ctrl-C.
    #[command(after_help = "Examples:\n  rmcp watch --url http://127.0.0.1:8000/mcp\n  \
                            rmcp watch --subscribe note://shopping --log-level debug -- ./notes\n\n\
                            By default a 2025 session (its GET stream on HTTP): logs, progress, list changes, updates.\n\
                            --era 2026 sends subscriptions/listen (HTTP): list changes and updates.")]
    Watch(WatchArgs),
    /// Bridge stdio and Streamable HTTP, in either direction.
    #[command(after_help = "Examples:\n  \
        rmcp proxy --url https://example.com/mcp --bearer TOKEN\n      \
        serve a remote HTTP server on this process's stdin/stdout (for stdio-only hosts)\n  \
        rmcp proxy --listen 127.0.0.1:8000 -- ./calculator\n      \
        serve a stdio server command at http://127.0.0.1:8000/mcp")]
    Proxy(ProxyArgs),
    /// Log in to an HTTP server with OAuth, see the login, or forget it.
    #[command(subcommand)]
    Auth(AuthCommand),
    /// Print a shell completion script.
    #[command(after_help = "Example:\n  rmcp completions bash > ~/.local/share/bash-completion/completions/rmcp")]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// Commands that connect, ask one thing and print the answer.
#[derive(Debug, Subcommand)]
pub enum AskCommand {
    /// Show the server's identity, protocol era, capabilities and instructions.
    #[command(after_help = "Example:\n  rmcp info -- ./calculator")]
    Info,
    /// Check that the server answers (2025 `ping`; a `server/discover` round trip on 2026).
    #[command(after_help = "Example:\n  rmcp ping --url http://127.0.0.1:8000/mcp")]
    Ping,
    /// List or call tools.
    #[command(subcommand)]
    Tools(ToolsCommand),
    /// List, inspect or read resources.
    #[command(subcommand)]
    Resources(ResourcesCommand),
    /// List or get prompts.
    #[command(subcommand)]
    Prompts(PromptsCommand),
    /// Ask for completions of a prompt argument or a resource template variable.
    #[command(after_help = "Examples:\n  rmcp complete --prompt greet name Al -- ./notes\n  \
                            rmcp complete --template 'note://{name}' name sh -- ./notes")]
    Complete(CompleteArgs),
    /// Set the server's log level (2025 `logging/setLevel`).
    #[command(
        name = "log-level",
        after_help = "Example:\n  rmcp log-level debug --url http://127.0.0.1:8000/mcp\n\n\
                      Levels: debug, info, notice, warning, error, critical, alert, emergency."
    )]
    LogLevel {
        /// The least severe level the server should send.
        level: String,
    },
}

/// `rmcp auth ...`
#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Log in: the browser opens the server's authorization page; the tokens are kept in your
    /// config directory (owner-only) and refreshed by later commands.
    #[command(after_help = "Example:\n  rmcp auth login https://example.com/mcp")]
    Login {
        /// The server's MCP endpoint.
        #[arg(value_name = "URL")]
        endpoint: String,
        /// Open the authorization URL with this command instead of the system's browser.
        #[arg(long, value_name = "CMD")]
        open_with: Option<String>,
    },
    /// Forget the login for a server.
    #[command(after_help = "Example:\n  rmcp auth logout https://example.com/mcp")]
    Logout {
        /// The server's MCP endpoint.
        #[arg(value_name = "URL")]
        endpoint: String,
    },
    /// Show the login for a server (issuer, scopes, expiry; never the tokens).
    #[command(after_help = "Example:\n  rmcp auth status https://example.com/mcp")]
    Status {
        /// The server's MCP endpoint.
        #[arg(value_name = "URL")]
        endpoint: String,
    },
}

/// `rmcp tools ...`
#[derive(Debug, Subcommand)]
pub enum ToolsCommand {
    /// List the server's tools and what they take.
    #[command(after_help = "Example:\n  rmcp tools list -- ./calculator")]
    List,
    /// Call a tool with `key=value` arguments, coerced by its input schema.
    #[command(after_help = "Examples:\n  \
        rmcp tools call add a=2 b=3 -- ./calculator\n  \
        rmcp tools call search 'filters:={\"tag\":\"x\"}' --url http://127.0.0.1:8000/mcp\n  \
        rmcp tools call create --json @args.json -- ./server\n\n\
        `key=value` is read as the schema says (number, integer, boolean, string; JSON for objects\n\
        and arrays); `key:=JSON` is always JSON. Ctrl-C cancels the call.")]
    Call(CallArgs),
}

/// `rmcp tools call`.
#[derive(Debug, Args)]
pub struct CallArgs {
    /// The tool's name.
    pub name: String,
    /// Arguments, `key=value` or `key:=JSON`.
    #[arg(value_name = "KEY=VALUE")]
    pub args: Vec<String>,
    /// All arguments as one JSON object, or `@FILE` to read it from a file (`key=value`s win).
    #[arg(long, value_name = "JSON|@FILE")]
    pub json: Option<String>,
}

/// `rmcp resources ...`
#[derive(Debug, Subcommand)]
pub enum ResourcesCommand {
    /// List the server's resources.
    #[command(after_help = "Example:\n  rmcp resources list -- ./notes")]
    List,
    /// List the server's resource templates.
    #[command(after_help = "Example:\n  rmcp resources templates -- ./notes")]
    Templates,
    /// Read a resource.
    #[command(after_help = "Example:\n  rmcp resources read note://shopping -- ./notes")]
    Read {
        /// The resource's URI.
        uri: String,
    },
}

/// `rmcp prompts ...`
#[derive(Debug, Subcommand)]
pub enum PromptsCommand {
    /// List the server's prompts and their arguments.
    #[command(after_help = "Example:\n  rmcp prompts list -- ./notes")]
    List,
    /// Get a prompt with `key=value` arguments.
    #[command(after_help = "Example:\n  rmcp prompts get greet name=Ada -- ./notes")]
    Get {
        /// The prompt's name.
        name: String,
        /// Arguments, `key=value`.
        #[arg(value_name = "KEY=VALUE")]
        args: Vec<String>,
    },
}

/// `rmcp complete`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("reference").required(true).args(["prompt", "template"])))]
pub struct CompleteArgs {
    /// Complete an argument of this prompt.
    #[arg(long, value_name = "NAME")]
    pub prompt: Option<String>,
    /// Complete a variable of this resource template.
    #[arg(long, value_name = "URI_TEMPLATE")]
    pub template: Option<String>,
    /// The argument (or template variable) to complete.
    pub argument: String,
    /// What has been typed so far.
    #[arg(default_value = "")]
    pub value: String,
    /// Values of other arguments already chosen, `key=value`.
    #[arg(long = "context", value_name = "KEY=VALUE")]
    pub context: Vec<String>,
}

/// `rmcp watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Subscribe to updates of this resource (repeat for more).
    #[arg(long, value_name = "URI")]
    pub subscribe: Vec<String>,
    /// Ask the server for log messages of this level and above first.
    #[arg(long, value_name = "LEVEL")]
    pub log_level: Option<String>,
}

/// `rmcp proxy`.
#[derive(Debug, Args)]
pub struct ProxyArgs {
    /// Serve the server command given after `--` over Streamable HTTP at this address.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
}
