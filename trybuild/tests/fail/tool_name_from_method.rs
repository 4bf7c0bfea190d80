use rmcp_core::{tool, tool_router};

struct Weather;

// The default name is the method's: a non-ASCII method name is not a valid tool name.
#[tool_router]
impl Weather {
    /// The forecast for a city.
    #[tool]
    fn prévision(&self, city: String) -> String {
        format!("sunny in {city}")
    }
}

fn main() {
    let _ = Weather::tool_router();
}
