//! Helpers above the engine for applications that drive tools: many calls in flight on one
//! connection ([`Peer::call_tools`](crate::Peer::call_tools)) and one tool surface over many
//! servers ([`ClientGroup`]).

mod group;

pub use group::{ClientGroup, GroupError};
