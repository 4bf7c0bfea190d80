use rmcp_core::{resource, resource_router};

struct Config;

#[resource_router]
impl Config {
    /// The application settings.
    #[resource(uri = "config://app", size = "14 bytes")]
    fn settings(&self) -> String {
        r#"{"workers":4}"#.to_owned()
    }
}

fn main() {
    let _ = Config::resource_router();
}
