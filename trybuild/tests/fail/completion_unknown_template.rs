use rmcp_core::{completion, resource_router, resource_template};

struct Files;

#[resource_router]
impl Files {
    /// A file.
    #[resource_template(uri_template = "file:///{+path}")]
    fn file(&self, path: String) -> String {
        format!("contents of {path}")
    }

    #[completion(resource = "file:///{path}", argument = "path")]
    fn paths(&self, typed: String) -> Vec<String> {
        ["src/", "tests/"].iter().filter(|s| s.starts_with(&typed)).map(|s| (*s).to_owned()).collect()
    }
}

fn main() {
    let _ = Files::resource_router();
}
