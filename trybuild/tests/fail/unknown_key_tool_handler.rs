use rmcp_core::handler::{ServerHandler, ServerInfo};
use rmcp_core::model::{Implementation, ServerCapabilities};
use rmcp_core::router::ToolRouter;
use rmcp_core::{tool, tool_handler, tool_router};

struct Weather {
    tools: ToolRouter<Self>,
}

#[tool_router]
impl Weather {
    /// The forecast for a city.
    #[tool]
    fn forecast(&self, city: String) -> String {
        format!("sunny in {city}")
    }
}

#[tool_handler(routr = self.tools)]
impl ServerHandler for Weather {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(Implementation::new("weather", "1.0.0"), ServerCapabilities::default())
    }
}

fn main() {
    let _ = Weather { tools: Weather::tool_router() };
}
