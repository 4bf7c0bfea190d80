use std::str::FromStr;

use rmcp_core::{resource_router, resource_template};

struct UserId(u32);

impl FromStr for UserId {
    type Err = std::num::ParseIntError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse().map(UserId)
    }
}

struct Forum;

#[resource_router]
impl Forum {
    /// A user.
    #[resource_template(uri_template = "users://{id}")]
    fn user(&self, UserId(id): UserId) -> String {
        format!("user {id}")
    }
}

fn main() {
    let _ = Forum::resource_router();
}
