use rmcp_core::{resource_router, resource_template};

struct UserId(u32);

struct Forum;

#[resource_router]
impl Forum {
    /// A user.
    #[resource_template(uri_template = "users://{id}")]
    fn user(&self, id: UserId) -> String {
        format!("user {}", id.0)
    }
}

fn main() {
    let _ = Forum::resource_router();
}
