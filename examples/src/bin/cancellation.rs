//! A server whose slow tool stops as soon as the client cancels it.
//!
//! Demonstrates cooperative cancellation: `crunch` waits on its `CancellationToken` beside each
//! step of work, so a `notifications/cancelled` (sent by our client when a call times out or its
//! future is dropped) or a closed connection stops it within one step. The client no longer
//! waits for an answer, so the tool says on stderr how far it got, and `status` tells any client
//! how the last run ended.
//!
//! Run it with `cargo run -p examples --bin cancellation` (stdio), or with `--http 127.0.0.1:0`.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rmcp_core::handler::{ServerHandler, ServerInfo};
use rmcp_core::model::{Implementation, ServerCapabilities};
use rmcp_core::router::ToolRouter;
use rmcp_core::{CancellationToken, tool, tool_handler, tool_router};

/// One step of work.
const STEP: Duration = Duration::from_millis(50);

#[derive(Clone)]
struct Cruncher {
    /// How the last `crunch` ended, for `status`.
    last: Arc<Mutex<String>>,
    tool_router: ToolRouter<Self>,
}

impl Cruncher {
    fn record(&self, outcome: String) {
        eprintln!("crunch: {outcome}");
        *self.last.lock().unwrap_or_else(PoisonError::into_inner) = outcome;
    }
}

#[tool_router]
impl Cruncher {
    /// Crunch numbers for `steps` × 50 ms (at most 1200 steps).
    #[tool]
    async fn crunch(&self, steps: u32, ct: CancellationToken) -> Result<String, String> {
        if steps > 1200 {
            return Err(format!("{steps} steps: at most 1200"));
        }
        for done in 0..steps {
            tokio::select! {
                () = ct.cancelled() => {
                    self.record(format!("cancelled after {done} of {steps} steps"));
                    // Nobody reads this: the engine drops a cancelled call's answer.
                    return Err("cancelled".to_owned());
                }
                () = tokio::time::sleep(STEP) => {}
            }
        }
        self.record(format!("finished {steps} steps"));
        Ok(format!("crunched {steps} steps"))
    }

    /// How the last `crunch` ended.
    #[tool(annotations(read_only_hint = true))]
    fn status(&self) -> String {
        self.last.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

#[tool_handler]
impl ServerHandler for Cruncher {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(Implementation::new("cancellation", env!("CARGO_PKG_VERSION")), ServerCapabilities::default())
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cruncher =
        Cruncher { last: Arc::new(Mutex::new("never ran".to_owned())), tool_router: Cruncher::tool_router() };
    examples::run("cancellation", move || cruncher.clone()).await
}
