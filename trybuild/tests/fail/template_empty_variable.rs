use rmcp_core::{resource_router, resource_template};

struct Forum;

#[resource_router]
impl Forum {
    /// The profile of a user.
    #[resource_template(uri_template = "users://{}/profile")]
    fn profile(&self, id: u32) -> String {
        format!("profile of user {id}")
    }
}

fn main() {
    let _ = Forum::resource_router();
}
