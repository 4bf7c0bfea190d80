use rmcp_core::service::{RequestContext, RoleClient};
use rmcp_core::{tool, tool_router};

struct Weather;

#[tool_router]
impl Weather {
    /// The forecast for a city.
    #[tool]
    fn forecast(&self, city: String, ctx: RequestContext<RoleClient>) -> String {
        let _ = ctx;
        format!("sunny in {city}")
    }
}

fn main() {
    let _ = Weather::tool_router();
}
