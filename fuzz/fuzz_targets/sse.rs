//! The HTTP client's SSE parser: bounded events, the same events however the stream is split.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rmcp_core::__fuzz::sse(data));
