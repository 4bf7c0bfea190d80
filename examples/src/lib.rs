//! The examples are the binaries in `src/bin/`; this library holds nothing but a doc-test hook.

/// Compiles the Rust snippets of the workspace README as doc tests, so they stay true to the API.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
#[derive(Debug)]
pub struct ReadmeDoctests;
