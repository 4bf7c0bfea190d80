use rmcp_core::{resource_router, resource_template};

struct Forum;

#[resource_router]
impl Forum {
    /// A user.
    #[resource_template(uri_template = "users/{id}")]
    fn user(&self, id: u32) -> String {
        format!("user {id}")
    }
}

fn main() {
    let _ = Forum::resource_router();
}
