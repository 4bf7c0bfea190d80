//! Newline-delimited JSON framing: bounded buffering, frames independent of read boundaries.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rmcp_core::__fuzz::framing(data));
