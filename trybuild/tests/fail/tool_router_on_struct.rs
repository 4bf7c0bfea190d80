use rmcp_core::tool_router;

#[tool_router]
struct Weather;

fn main() {
    let _ = Weather;
}
