use rmcp_core::{resource, resource_router};

struct Config;

#[resource_router]
impl Config {
    /// One setting.
    #[resource(uri = "config://app/{key}")]
    fn setting(&self, key: String) -> String {
        format!("value of {key}")
    }
}

fn main() {
    let _ = Config::resource_router();
}
