use rmcp_core::completion;

struct Files;

impl Files {
    #[completion(resource = "file:///{+path}", argument = "path")]
    fn paths(&self, typed: String) -> Vec<String> {
        ["src/", "tests/"].iter().filter(|s| s.starts_with(&typed)).map(|s| (*s).to_owned()).collect()
    }
}

fn main() {
    let _ = Files.paths(String::new());
}
