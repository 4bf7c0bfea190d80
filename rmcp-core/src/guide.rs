//! The guide: how to build MCP servers and clients with rmcp-core, one chapter per topic.
//!
//! Every chapter is a markdown file under `docs/guide/` in the repository, included here so
//! that rustdoc renders it and `cargo test --doc -p rmcp-core` compiles and runs every Rust
//! block in it: the guide cannot drift from the API. Read it in order the first time; each
//! chapter stands alone afterwards. Runnable programs for each topic are in `examples/`
//! (README, "Examples").
//!
//! 1. [`quickstart`]: a first server and client.
//! 2. [`tools`]: arguments, results, validation, structured output, annotations, icons,
//!    tools that change at run time.
//! 3. [`prompts`]: prompt templates and their arguments.
//! 4. [`resources`]: resources, templates, completion and subscriptions.
//! 5. [`request_context`]: progress, cancellation, logging, elicitation, sampling and roots,
//!    in both protocol eras, and what the 2026 retry means for a tool.
//! 6. [`http`]: serving Streamable HTTP: configuration, security defaults, axum,
//!    resumability, shutdown.
//! 7. [`clients`]: typed calls, timeouts, pipelining, client groups, recovering from a flaky
//!    server, listen streams and the list cache.
//! 8. `oauth`: OAuth for clients and servers (built with the `auth` and `auth-server`
//!    features).
//! 9. [`tasks`]: long-running work as tasks.
//! 10. [`testing`]: in-process pairs, child processes, the conformance suite.
//! 11. [`features`]: the cargo features and what each pulls in.
//! 12. [`performance`]: what is fast and why, and what to avoid.
//! 13. [`migrating_from_rmcp`]: the equivalents of the official SDK's API, with one server
//!     migrated.
//! 14. [`scaling_out`]: many instances behind a load balancer, state in Redis.
//! 15. [`observability`]: middleware around requests, the caller in tools, traces and metrics.

#[doc = include_str!("../../docs/guide/01-quickstart.md")]
pub mod quickstart {}

#[doc = include_str!("../../docs/guide/02-tools.md")]
pub mod tools {}

#[doc = include_str!("../../docs/guide/03-prompts.md")]
pub mod prompts {}

#[doc = include_str!("../../docs/guide/04-resources.md")]
pub mod resources {}

#[doc = include_str!("../../docs/guide/05-request-context.md")]
pub mod request_context {}

#[doc = include_str!("../../docs/guide/06-http.md")]
pub mod http {}

#[doc = include_str!("../../docs/guide/07-clients.md")]
pub mod clients {}

// Its examples need the OAuth client and the resource-server layer.
#[cfg(all(feature = "auth", feature = "auth-server"))]
#[doc = include_str!("../../docs/guide/08-oauth.md")]
pub mod oauth {}

#[doc = include_str!("../../docs/guide/09-tasks.md")]
pub mod tasks {}

#[doc = include_str!("../../docs/guide/10-testing.md")]
pub mod testing {}

#[doc = include_str!("../../docs/guide/11-features.md")]
pub mod features {}

#[doc = include_str!("../../docs/guide/12-performance.md")]
pub mod performance {}

#[doc = include_str!("../../docs/guide/13-migrating-from-rmcp.md")]
pub mod migrating_from_rmcp {}

#[doc = include_str!("../../docs/guide/14-scaling-out.md")]
pub mod scaling_out {}

#[doc = include_str!("../../docs/guide/15-observability.md")]
pub mod observability {}
