use rmcp_core::{tool, tool_router};

struct Point {
    x: f64,
    y: f64,
}

struct Geometry;

#[tool_router]
impl Geometry {
    /// The distance of a point from the origin.
    #[tool]
    fn norm(&self, point: Point) -> String {
        point.x.hypot(point.y).to_string()
    }
}

fn main() {
    let _ = Geometry::tool_router();
}
