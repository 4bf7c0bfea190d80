use rmcp_core::router::Json;
use rmcp_core::{tool, tool_router};
use schemars::JsonSchema;

#[derive(JsonSchema)]
struct Forecast {
    celsius: f64,
}

struct Weather;

#[tool_router]
impl Weather {
    /// The forecast for a city, as structured output.
    #[tool]
    fn forecast(&self, city: String) -> Json<Forecast> {
        let _ = city;
        Json(Forecast { celsius: 21.5 })
    }
}

fn main() {
    let _ = Weather::tool_router();
}
