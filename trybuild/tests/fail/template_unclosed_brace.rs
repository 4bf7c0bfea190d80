use rmcp_core::{resource_router, resource_template};

struct Forum;

#[resource_router]
impl Forum {
    /// A post of a user.
    #[resource_template(uri_template = "users://{id}/posts/{post")]
    fn post(&self, id: u32, post: u32) -> String {
        format!("post {post} of user {id}")
    }
}

fn main() {
    let _ = Forum::resource_router();
}
