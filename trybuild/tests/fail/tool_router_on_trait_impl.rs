use rmcp_core::handler::ServerHandler;
use rmcp_core::{tool, tool_router};

struct Weather;

#[tool_router]
impl ServerHandler for Weather {
    /// The forecast for a city.
    #[tool]
    fn forecast(&self, city: String) -> String {
        format!("sunny in {city}")
    }
}

fn main() {}
