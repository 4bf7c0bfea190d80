//! OAuth documents: authorization server and protected resource metadata, token responses.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rmcp_core::__fuzz::oauth(data));
