//! Compile tests of the macros: every rule `rmcp-macros` enforces fails to compile with its
//! pinned diagnostic (`tests/fail/*.stderr`), and every supported shape compiles and runs
//! (`tests/pass`).
//!
//! The `.stderr` files are specific to the toolchain CI uses (rustc 1.95): rustc's own parts of
//! a diagnostic change between releases. After an intended change of a message (or a toolchain
//! upgrade), regenerate them with `TRYBUILD=overwrite cargo test -p trybuild-tests` and read the
//! diff: each must still point at the offending token with a hint for the fix.

#[test]
fn macros() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/fail/*.rs");
    t.pass("tests/pass/*.rs");
}
