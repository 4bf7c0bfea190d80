//! Procedural macros for `rmcp-core`.
//!
//! The macros (`#[tool]`, `#[tool_router]`, `#[tool_handler]`, prompts and resources) are built
//! as a parse -> check -> render pipeline; this crate is a skeleton until they land.
