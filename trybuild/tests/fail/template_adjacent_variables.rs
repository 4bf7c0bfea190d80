use rmcp_core::{resource_router, resource_template};

struct Files;

#[resource_router]
impl Files {
    /// A file by name and extension.
    #[resource_template(uri_template = "files:///{name}{extension}")]
    fn file(&self, name: String, extension: String) -> String {
        format!("{name}.{extension}")
    }
}

fn main() {
    let _ = Files::resource_router();
}
