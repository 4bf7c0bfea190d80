//! One JSON-RPC message of either era: round trip, typed params, the era rule read raw and parsed.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rmcp_core::__fuzz::jsonrpc(data));
