//! The HTTP server's Host / Origin / Accept handling and 2026 header checks, and the header value
//! encoding both sides share.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    rmcp_core::__fuzz::http_headers(data);
    rmcp_core::__fuzz::header_values(data);
});
