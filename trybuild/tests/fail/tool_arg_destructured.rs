use rmcp_core::{tool, tool_router};

struct Geometry;

#[tool_router]
impl Geometry {
    /// The distance of a point from the origin.
    #[tool]
    fn norm(&self, (x, y): (f64, f64)) -> String {
        x.hypot(y).to_string()
    }
}

fn main() {
    let _ = Geometry::tool_router();
}
