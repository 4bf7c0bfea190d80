use rmcp_core::router::ToolRouter;
use rmcp_core::{tool, tool_handler, tool_router};

struct Weather {
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl Weather {
    /// The forecast for a city.
    #[tool]
    fn forecast(&self, city: String) -> String {
        format!("sunny in {city}")
    }
}

#[tool_handler]
impl Weather {
    fn new() -> Self {
        Self { tool_router: Self::tool_router() }
    }
}

fn main() {
    let _ = Weather::new();
}
