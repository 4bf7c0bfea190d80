use rmcp_core::handler::ServerHandler;
use rmcp_core::{tool, tool_handler, tool_router};

// The handler reads `self.tool_router` by default, and this server has no such field.
struct Weather;

#[tool_router]
impl Weather {
    /// The forecast for a city.
    #[tool]
    fn forecast(&self, city: String) -> String {
        format!("sunny in {city}")
    }
}

#[tool_handler]
impl ServerHandler for Weather {}

fn main() {}
