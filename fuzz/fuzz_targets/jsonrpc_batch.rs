//! JSON-RPC batches as the HTTP endpoint reads them: bounded, every member round-trips.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rmcp_core::__fuzz::batch(data));
