//! Values a transport or a middleware attaches to an incoming message, one per type.
//!
//! The same idea as `http::Extensions`, kept here so that a stdio server does not compile the
//! `http` crate for one map. A message carries few values (the HTTP request's parts, a stream
//! handle, an id), so they sit in a vector searched by type: no hashing, no allocation when empty.

use std::any::{Any, TypeId};
use std::fmt;

/// Values attached to an incoming request or notification, at most one of each type.
///
/// The Streamable HTTP server puts the HTTP request's `http::request::Parts` here (with the
/// extensions its layers set, such as a [`Principal`](crate::transport::Principal)); a custom
/// transport or a middleware may put its own values.
///
/// ```
/// use rmcp_core::transport::Extensions;
///
/// #[derive(Clone, Debug, PartialEq)]
/// struct Tenant(&'static str);
///
/// let mut extensions = Extensions::new();
/// assert_eq!(extensions.insert(Tenant("acme")), None);
/// assert_eq!(extensions.insert(Tenant("umbrella")), Some(Tenant("acme")));
/// assert_eq!(extensions.get::<Tenant>(), Some(&Tenant("umbrella")));
/// assert_eq!(extensions.remove::<Tenant>(), Some(Tenant("umbrella")));
/// assert!(extensions.is_empty());
/// ```
#[derive(Default)]
pub struct Extensions {
    values: Vec<Box<dyn AnyClone>>,
}

impl Extensions {
    /// No values.
    pub const fn new() -> Self {
        Self { values: Vec::new() }
    }

    /// Attach `value`, returning the value of its type that was attached before, if any.
    pub fn insert<T: Clone + Send + Sync + 'static>(&mut self, value: T) -> Option<T> {
        match self.get_mut::<T>() {
            Some(old) => Some(std::mem::replace(old, value)),
            None => {
                self.values.push(Box::new(value));
                None
            }
        }
    }

    /// The value of type `T`, if one is attached.
    pub fn get<T: 'static>(&self) -> Option<&T> {
        self.values.iter().find_map(|v| (**v).as_any().downcast_ref())
    }

    /// The value of type `T`, mutably, if one is attached.
    pub fn get_mut<T: 'static>(&mut self) -> Option<&mut T> {
        self.values.iter_mut().find_map(|v| (**v).as_any_mut().downcast_mut())
    }

    /// Detach and return the value of type `T`, if one is attached.
    pub fn remove<T: 'static>(&mut self) -> Option<T> {
        let at = self.values.iter().position(|v| (**v).as_any().type_id() == TypeId::of::<T>())?;
        let value: Box<dyn Any> = self.values.swap_remove(at).into_any();
        value.downcast().ok().map(|v| *v)
    }

    /// Whether no value is attached.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// How many values are attached.
    pub fn len(&self) -> usize {
        self.values.len()
    }
}

impl Clone for Extensions {
    fn clone(&self) -> Self {
        Self { values: self.values.iter().map(|v| (**v).clone_box()).collect() }
    }
}

impl fmt::Debug for Extensions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The values need not be `Debug`; their number is what a log can show.
        f.debug_struct("Extensions").field("len", &self.values.len()).finish()
    }
}

/// A value that can be cloned and downcast behind a `dyn`. Every `Clone` type is one, references
/// included, so calls go through `(**v)`: `v.as_any()` on a `&Box<dyn AnyClone>` would pick the
/// reference's impl over the value's.
trait AnyClone: Any + Send + Sync {
    fn clone_box(&self) -> Box<dyn AnyClone>;
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
    fn into_any(self: Box<Self>) -> Box<dyn Any>;
}

impl<T: Clone + Send + Sync + 'static> AnyClone for T {
    fn clone_box(&self) -> Box<dyn AnyClone> {
        Box::new(self.clone())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Debug, PartialEq)]
    struct A(u32);
    #[derive(Clone, Debug, PartialEq)]
    struct B(String);

    #[test]
    fn values_of_each_type_are_kept_apart_and_survive_a_clone() {
        let mut extensions = Extensions::new();
        extensions.insert(A(1));
        extensions.insert(B("b".into()));
        extensions.get_mut::<A>().unwrap().0 = 2;
        let copy = extensions.clone();
        assert_eq!(extensions.remove::<A>(), Some(A(2)));
        assert_eq!(extensions.get::<A>(), None);
        assert_eq!(extensions.get::<B>(), Some(&B("b".into())));
        assert_eq!((copy.get::<A>(), copy.len()), (Some(&A(2)), 2));
        assert_eq!(format!("{copy:?}"), "Extensions { len: 2 }");
    }
}
