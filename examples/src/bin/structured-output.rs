//! A weather server whose tool returns structured output.
//!
//! Demonstrates `Json<T>`: the tool's result carries `structuredContent` (the value, for
//! programs) and the same JSON as text (for clients that read only text), and the tool declares
//! an `outputSchema` derived from `T`, doc comments included, so a client knows the shape before
//! calling. Nested types and lists work; the top level must be an object. An unknown city is a
//! tool error, which carries no structured content.
//!
//! Run it with `cargo run -p examples --bin structured-output` (stdio), or with
//! `--http 127.0.0.1:0` for Streamable HTTP.

use rmcp_core::handler::{ServerHandler, ServerInfo};
use rmcp_core::model::{Implementation, ServerCapabilities};
use rmcp_core::router::{Json, ToolRouter};
use rmcp_core::{tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::Serialize;

/// A forecast for the next days.
#[derive(Serialize, JsonSchema)]
struct Forecast {
    /// The city, as asked.
    city: String,
    /// One entry per day, today first.
    days: Vec<Day>,
}

/// One day's weather.
#[derive(Serialize, JsonSchema)]
struct Day {
    /// Highest temperature, °C.
    high_c: i32,
    /// Lowest temperature, °C.
    low_c: i32,
    /// What the sky does.
    sky: Sky,
}

/// The sky, in three words.
#[derive(Serialize, JsonSchema, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Sky {
    Sunny,
    Cloudy,
    Rainy,
}

#[derive(Clone)]
struct Weather {
    tool_router: ToolRouter<Self>,
}

/// Made-up but deterministic weather: a base temperature per known city.
fn base_temperature(city: &str) -> Option<i32> {
    match city.to_lowercase().as_str() {
        "lisbon" => Some(22),
        "oslo" => Some(8),
        "cairo" => Some(31),
        _ => None,
    }
}

#[tool_router]
impl Weather {
    /// The forecast for a city (Lisbon, Oslo or Cairo), as structured data.
    #[tool(annotations(read_only_hint = true, idempotent_hint = true))]
    fn forecast(
        &self,
        /// The city.
        city: String,
        /// How many days, 1 to 7.
        days: u8,
    ) -> Result<Json<Forecast>, String> {
        let base =
            base_temperature(&city).ok_or_else(|| format!("no forecast for {city}: try Lisbon, Oslo or Cairo"))?;
        if !(1..=7).contains(&days) {
            return Err(format!("`days` is {days}; ask for 1 to 7"));
        }
        let skies = [Sky::Sunny, Sky::Cloudy, Sky::Rainy];
        let days = (0..i32::from(days))
            .map(|d| Day { high_c: base + d % 3, low_c: base - 8 + d % 2, sky: skies[(d % 3) as usize] })
            .collect();
        Ok(Json(Forecast { city, days }))
    }
}

#[tool_handler]
impl ServerHandler for Weather {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(
            Implementation::new("structured-output", env!("CARGO_PKG_VERSION")),
            ServerCapabilities::default(),
        )
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    examples::run("structured-output", || Weather { tool_router: Weather::tool_router() }).await
}
