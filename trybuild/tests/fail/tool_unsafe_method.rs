use rmcp_core::{tool, tool_router};

struct Memory;

#[tool_router]
impl Memory {
    /// Read a byte at an address.
    #[tool]
    unsafe fn peek(&self, address: usize) -> String {
        // SAFETY: none; this is the mistake under test.
        unsafe { *(address as *const u8) }.to_string()
    }
}

fn main() {
    let _ = Memory::tool_router();
}
