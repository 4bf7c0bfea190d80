//! Every attribute key, and every foreign attribute we read, declared once as a typed constant:
//! the parser reads keys by these, the key tables list them, and the checker compares with them,
//! so a key cannot be spelt two ways.

use std::fmt::{self, Display};

use syn::{Ident, Path};

/// The name of an attribute key (`name` in `#[tool(name = "...")]`) or of an attribute.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) struct Symbol(&'static str);

// Keys of the route attributes.
pub(crate) const NAME: Symbol = Symbol("name");
pub(crate) const TITLE: Symbol = Symbol("title");
pub(crate) const DESCRIPTION: Symbol = Symbol("description");
pub(crate) const ANNOTATIONS: Symbol = Symbol("annotations");
pub(crate) const ICONS: Symbol = Symbol("icons");
pub(crate) const META: Symbol = Symbol("meta");
pub(crate) const CRATE: Symbol = Symbol("crate");
pub(crate) const URI: Symbol = Symbol("uri");
pub(crate) const URI_TEMPLATE: Symbol = Symbol("uri_template");
pub(crate) const MIME_TYPE: Symbol = Symbol("mime_type");
pub(crate) const SIZE: Symbol = Symbol("size");
pub(crate) const PROMPT: Symbol = Symbol("prompt");
pub(crate) const RESOURCE: Symbol = Symbol("resource");
pub(crate) const ARGUMENT: Symbol = Symbol("argument");

// Keys of `annotations(...)`.
pub(crate) const READ_ONLY_HINT: Symbol = Symbol("read_only_hint");
pub(crate) const DESTRUCTIVE_HINT: Symbol = Symbol("destructive_hint");
pub(crate) const IDEMPOTENT_HINT: Symbol = Symbol("idempotent_hint");
pub(crate) const OPEN_WORLD_HINT: Symbol = Symbol("open_world_hint");

// Keys of the router and handler attributes.
pub(crate) const ROUTER: Symbol = Symbol("router");
pub(crate) const VIS: Symbol = Symbol("vis");

// Other macros' attributes, read on methods and their parameters.
pub(crate) const DOC: Symbol = Symbol("doc");
pub(crate) const CFG: Symbol = Symbol("cfg");
pub(crate) const SERDE: Symbol = Symbol("serde");
pub(crate) const SCHEMARS: Symbol = Symbol("schemars");

impl Symbol {
    pub(crate) fn as_str(self) -> &'static str {
        self.0
    }
}

impl PartialEq<Symbol> for Ident {
    fn eq(&self, word: &Symbol) -> bool {
        self == word.0
    }
}

impl PartialEq<Symbol> for &Ident {
    fn eq(&self, word: &Symbol) -> bool {
        *self == word.0
    }
}

impl PartialEq<Symbol> for Path {
    fn eq(&self, word: &Symbol) -> bool {
        self.is_ident(word.0)
    }
}

impl PartialEq<Symbol> for &Path {
    fn eq(&self, word: &Symbol) -> bool {
        self.is_ident(word.0)
    }
}

impl Display for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}
