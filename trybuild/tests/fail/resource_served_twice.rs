use rmcp_core::{resource, resource_router};

struct Config;

#[resource_router]
impl Config {
    /// The application settings.
    #[resource(uri = "config://app")]
    fn settings(&self) -> String {
        r#"{"workers": 4}"#.to_owned()
    }

    /// The application settings, pretty-printed.
    #[resource(uri = "config://app", name = "settings-pretty")]
    fn settings_pretty(&self) -> String {
        "{\n  \"workers\": 4\n}".to_owned()
    }
}

fn main() {
    let _ = Config::resource_router();
}
