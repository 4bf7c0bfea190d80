//! WWW-Authenticate challenges: parse, write back, parse again.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rmcp_core::__fuzz::www_authenticate(data));
