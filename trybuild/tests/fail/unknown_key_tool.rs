use rmcp_core::{tool, tool_router};

struct Weather;

#[tool_router]
impl Weather {
    #[tool(descripton = "The forecast for a city")]
    fn forecast(&self, city: String) -> String {
        format!("sunny in {city}")
    }
}

fn main() {
    let _ = Weather::tool_router();
}
