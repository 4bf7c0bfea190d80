//! requestState: never opens unsigned, opens sealed answers, fails altered.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rmcp_core::__fuzz::request_state(data));
