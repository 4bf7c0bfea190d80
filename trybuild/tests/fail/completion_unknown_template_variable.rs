use rmcp_core::{completion, resource_router, resource_template};

struct Forum;

#[resource_router]
impl Forum {
    /// A post of a user.
    #[resource_template(uri_template = "users://{user}/posts/{post}")]
    fn post(&self, user: String, post: u32) -> String {
        format!("post {post} of {user}")
    }

    #[completion(resource = "users://{user}/posts/{post}", argument = "username")]
    fn users(&self, typed: String) -> Vec<String> {
        ["ada", "grace"].iter().filter(|s| s.starts_with(&typed)).map(|s| (*s).to_owned()).collect()
    }
}

fn main() {
    let _ = Forum::resource_router();
}
