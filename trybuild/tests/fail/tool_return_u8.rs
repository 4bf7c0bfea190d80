use rmcp_core::{tool, tool_router};

struct Dice;

#[tool_router]
impl Dice {
    /// Roll a die.
    #[tool]
    async fn roll(&self) -> u8 {
        4
    }
}

fn main() {
    let _ = Dice::tool_router();
}
