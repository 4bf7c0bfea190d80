use rmcp_core::{tool, tool_router};

struct Weather;

#[tool_router]
impl Weather {
    /// The forecast for a city.
    #[tool(
        name = "weather_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    )]
    fn forecast(&self, city: String) -> String {
        format!("sunny in {city}")
    }
}

fn main() {
    let _ = Weather::tool_router();
}
