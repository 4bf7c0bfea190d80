//! `rmcp`: a command-line MCP client and bridge on rmcp-core. See `rmcp --help`.

mod args;
mod auth;
mod cli;
mod client;
mod commands;
mod config;
mod connect;
mod elicit;
mod output;
mod proxy;
mod sampling;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use tokio_util::sync::CancellationToken;

use cli::{AskCommand, Cli, Command, PromptsCommand, ResourcesCommand, ToolsCommand};
use client::CliClient;
use commands::Session;
use output::Output;

fn main() -> ExitCode {
    // Everything after the first `--` is the server command; clap sees the rest.
    let mut argv: Vec<String> = std::env::args().collect();
    let server_command = match argv.iter().position(|a| a == "--") {
        Some(i) => {
            let rest = argv.split_off(i);
            rest[1..].to_vec()
        }
        None => Vec::new(),
    };
    let mut cli = Cli::parse_from(argv);
    cli.conn.command = server_command;

    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            output::error(&format!("cannot start the async runtime: {e}"));
            return ExitCode::FAILURE;
        }
    };
    let code = runtime.block_on(interruptible(cli)).unwrap_or_else(|e| {
        output::error(&format!("{e:#}"));
        ExitCode::FAILURE
    });
    // Blocking reads (a prompt on stdin) must not hold the process open.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    code
}

/// Run the command with Ctrl-C caught from the start: whenever it comes, the command stops
/// cleanly (a call in flight is cancelled in the protocol, a connection closed) with status 130.
async fn interruptible(cli: Cli) -> anyhow::Result<ExitCode> {
    let interrupted = CancellationToken::new();
    let on_signal = interrupted.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_signal.cancel();
        }
    });
    run(cli, interrupted).await
}

async fn run(cli: Cli, interrupted: CancellationToken) -> anyhow::Result<ExitCode> {
    let out = Output::new(cli.output);
    let conn = &cli.conn;
    let stopped = || ExitCode::from(commands::INTERRUPTED);
    match &cli.command {
        Command::Ask(command) => {
            let session = tokio::select! {
                session = Session::open(conn, CliClient::new(conn), out) => session?,
                () = interrupted.cancelled() => return Ok(stopped()),
            };
            // Dropping a request on Ctrl-C sends `notifications/cancelled`; `close` lets it go out.
            let result = tokio::select! {
                result = ask(&session, command) => result,
                () = interrupted.cancelled() => Ok(stopped()),
            };
            session.clear_progress();
            session.close().await;
            // Said once the server has had its say: they share the terminal.
            if let (AskCommand::Tools(ToolsCommand::Call(call)), Ok(code)) = (command, &result)
                && *code == stopped()
            {
                eprintln!("rmcp: cancelled the call to `{}`", call.name);
            }
            result
        }
        Command::Watch(args) => commands::watch::watch(conn, args, out, interrupted).await,
        Command::Proxy(args) => commands::proxy::proxy(conn, args, interrupted).await,
        Command::Auth(command) => tokio::select! {
            result = commands::auth::auth(command, out) => result,
            () = interrupted.cancelled() => Ok(stopped()),
        },
        Command::Completions { shell } => {
            clap_complete::generate(*shell, &mut Cli::command(), "rmcp", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// One request to a connected server, printed.
async fn ask(session: &Session, command: &AskCommand) -> anyhow::Result<ExitCode> {
    use commands::{info, misc, prompts, resources, tools};
    match command {
        AskCommand::Tools(ToolsCommand::Call(args)) => return tools::call(session, args).await,
        AskCommand::Info => info::info(session).await?,
        AskCommand::Ping => info::ping(session).await?,
        AskCommand::Tools(ToolsCommand::List) => tools::list(session).await?,
        AskCommand::Resources(ResourcesCommand::List) => resources::list(session).await?,
        AskCommand::Resources(ResourcesCommand::Templates) => resources::templates(session).await?,
        AskCommand::Resources(ResourcesCommand::Read { uri }) => resources::read(session, uri).await?,
        AskCommand::Prompts(PromptsCommand::List) => prompts::list(session).await?,
        AskCommand::Prompts(PromptsCommand::Get { name, args }) => prompts::get(session, name, args).await?,
        AskCommand::Complete(args) => misc::complete(session, args).await?,
        AskCommand::LogLevel { level } => misc::log_level(session, level).await?,
    }
    Ok(ExitCode::SUCCESS)
}
