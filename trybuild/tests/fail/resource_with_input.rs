use rmcp_core::{resource, resource_router};

struct Config;

#[resource_router]
impl Config {
    /// The application settings.
    #[resource(uri = "config://app")]
    fn settings(&self, pretty: bool) -> String {
        if pretty { "{\n  \"workers\": 4\n}".to_owned() } else { r#"{"workers":4}"#.to_owned() }
    }
}

fn main() {
    let _ = Config::resource_router();
}
