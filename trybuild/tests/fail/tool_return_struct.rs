use rmcp_core::{tool, tool_router};

struct Forecast {
    celsius: f64,
}

struct Weather;

#[tool_router]
impl Weather {
    /// The forecast for a city.
    #[tool]
    fn forecast(&self, city: String) -> Forecast {
        let _ = city;
        Forecast { celsius: 21.5 }
    }
}

fn main() {
    let _ = Weather::tool_router();
    let _ = Forecast { celsius: 0.0 }.celsius;
}
