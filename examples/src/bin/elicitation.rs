//! A server that asks the user for details before acting, in both protocol eras.
//!
//! Demonstrates `ctx.elicit::<T>`: the form is derived from `Booking` (its fields, doc comments
//! and the `Seating` enum), and the answer is `Accepted`, `Declined` or `Cancelled`. On a
//! 2025-11-25 session the question is an `elicitation/create` request while the tool waits; on
//! 2026-07-28 the tool ends with an `input_required` result, the client answers and calls
//! again, and the tool runs again from the top (the MRTR retry). That is why `book_table` asks
//! first and books after, so the booking happens once however many rounds the call takes, and
//! why it returns `Result<_, McpError>`: `?` must pass the `input_required` result through.
//!
//! Run it with `cargo run -p examples --bin elicitation` (stdio), or with `--http 127.0.0.1:0`;
//! it needs a client that supports elicitation (its test has one).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rmcp_core::handler::{ServerHandler, ServerInfo};
use rmcp_core::model::{Implementation, ServerCapabilities};
use rmcp_core::router::ToolRouter;
use rmcp_core::service::{Elicitation, McpError, RequestContext};
use rmcp_core::{RoleServer, tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;

/// Where to sit.
#[derive(Deserialize, JsonSchema, Debug)]
#[serde(rename_all = "lowercase")]
enum Seating {
    Inside,
    Terrace,
}

/// The booking form the user fills in.
#[derive(Deserialize, JsonSchema)]
struct Booking {
    /// How many people (1 to 12)?
    people: u8,
    /// Inside or on the terrace?
    seating: Seating,
    /// Is it a special occasion?
    occasion: Option<bool>,
}

#[derive(Clone)]
struct Restaurant {
    /// Tables booked so far: the irreversible work, done after the last question.
    booked: Arc<AtomicUsize>,
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl Restaurant {
    /// Book a table, asking the user for the details.
    #[tool]
    async fn book_table(
        &self,
        /// The evening, such as "Friday".
        day: String,
        ctx: RequestContext<RoleServer>,
    ) -> Result<String, McpError> {
        // Ask first: on 2026-07-28 everything before this line runs once per round.
        let booking = match ctx.elicit::<Booking>("booking", format!("Book a table for {day}?")).await? {
            Elicitation::Accepted(booking) => booking,
            Elicitation::Declined => return Ok("no table booked: the user declined".to_owned()),
            Elicitation::Cancelled => return Ok("no table booked: the user dismissed the form".to_owned()),
        };
        if !(1..=12).contains(&booking.people) {
            // A tool error the model can read, from a tool whose error type is McpError.
            return Err(McpError::InvalidArguments(format!("{} people: tables seat 1 to 12", booking.people)));
        }
        // Act after: this runs once per call in both eras.
        let number = self.booked.fetch_add(1, Ordering::SeqCst) + 1;
        let occasion = if booking.occasion == Some(true) { ", with a candle" } else { "" };
        Ok(format!("booking #{number}: {day}, {} people, {:?}{occasion}", booking.people, booking.seating))
    }

    /// How many tables were booked since the server started.
    #[tool(annotations(read_only_hint = true))]
    fn bookings(&self) -> String {
        self.booked.load(Ordering::SeqCst).to_string()
    }
}

#[tool_handler]
impl ServerHandler for Restaurant {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(Implementation::new("elicitation", env!("CARGO_PKG_VERSION")), ServerCapabilities::default())
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let restaurant = Restaurant { booked: Arc::default(), tool_router: Restaurant::tool_router() };
    examples::run("elicitation", move || restaurant.clone()).await
}
