use rmcp_core::router::Parameters;
use rmcp_core::{tool, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;

#[derive(Deserialize, JsonSchema)]
struct Point {
    x: f64,
    y: f64,
}

struct Geometry;

#[tool_router]
impl Geometry {
    /// Scale a point.
    #[tool]
    fn scale(&self, Parameters(p): Parameters<Point>, factor: f64) -> String {
        format!("({}, {})", p.x * factor, p.y * factor)
    }
}

fn main() {
    let _ = Geometry::tool_router();
}
