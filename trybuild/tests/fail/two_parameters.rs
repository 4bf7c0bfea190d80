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
    /// The distance between two points.
    #[tool]
    fn distance(&self, Parameters(a): Parameters<Point>, Parameters(b): Parameters<Point>) -> String {
        ((a.x - b.x).hypot(a.y - b.y)).to_string()
    }
}

fn main() {
    let _ = Geometry::tool_router();
}
