//! Attributes and items into a typed model. Nothing here decides whether the model is valid
//! beyond syntax; `check` does.
//!
//! The modules import only downward: `args` (key = value syntax), then `kind` (what each
//! attribute is), `keys` (which keys each attribute takes), `attr` (typed attributes) and `item`
//! (the impl and its methods).

pub(crate) mod args;
pub(crate) mod attr;
pub(crate) mod item;
pub(crate) mod keys;
pub(crate) mod kind;
