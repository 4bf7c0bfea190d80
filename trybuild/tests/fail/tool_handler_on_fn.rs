use rmcp_core::tool_handler;

struct Weather;

#[tool_handler]
fn serve(_server: Weather) {}

fn main() {
    serve(Weather);
}
