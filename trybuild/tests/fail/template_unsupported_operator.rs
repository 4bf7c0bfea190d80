use rmcp_core::{resource_router, resource_template};

struct Files;

#[resource_router]
impl Files {
    /// A file.
    #[resource_template(uri_template = "files://{/path}")]
    fn file(&self, path: String) -> String {
        path
    }
}

fn main() {
    let _ = Files::resource_router();
}
