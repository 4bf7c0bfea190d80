use rmcp_core::{resource, resource_router};

struct Config;

#[resource_router]
impl Config {
    /// The number of worker threads.
    #[resource(uri = "config://workers")]
    fn workers(&self) -> usize {
        4
    }
}

fn main() {
    let _ = Config::resource_router();
}
