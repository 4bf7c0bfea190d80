//! [`ToolList`]: the `tools` array of a `tools/list` result, shared and serialized once.

use std::fmt;
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

use crate::model::Tool;

/// A list of tools that is cheap to clone and to serialize again.
///
/// Clones share the tools (cloning is a reference-count increment), and the JSON array is
/// serialized the first time it is needed and kept: later serializations write those bytes
/// verbatim. A server can therefore hand out the same list on every `tools/list` without copying
/// or re-encoding its tools. Read it like a slice (`list[0]`, `list.len()`, `list.iter()`);
/// [`ToolList::into_vec`] gives back an owned `Vec` to modify.
///
/// The cached JSON is written through [`serde_json::value::RawValue`], so the fast path is for
/// serde_json (`to_string`, `to_writer`, `to_raw_value`, `to_value`), which is the only format
/// MCP messages are sent in.
#[derive(Clone, Default)]
pub struct ToolList {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    tools: Vec<Tool>,
    json: OnceLock<Box<RawValue>>,
}

impl ToolList {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// The tools as a slice.
    pub fn as_slice(&self) -> &[Tool] {
        &self.inner.tools
    }

    /// The tools as an owned `Vec`; no copy when this is the only handle to them.
    pub fn into_vec(self) -> Vec<Tool> {
        match Arc::try_unwrap(self.inner) {
            Ok(inner) => inner.tools,
            Err(shared) => shared.tools.clone(),
        }
    }

    /// The JSON array of the tools, serialized on first use and kept.
    pub fn to_raw_json(&self) -> Result<&RawValue, serde_json::Error> {
        if let Some(json) = self.inner.json.get() {
            return Ok(json);
        }
        let json = serde_json::value::to_raw_value(&self.inner.tools)?;
        Ok(self.inner.json.get_or_init(|| json))
    }
}

impl std::ops::Deref for ToolList {
    type Target = [Tool];
    fn deref(&self) -> &[Tool] {
        &self.inner.tools
    }
}

impl AsRef<[Tool]> for ToolList {
    fn as_ref(&self) -> &[Tool] {
        &self.inner.tools
    }
}

impl From<Vec<Tool>> for ToolList {
    fn from(tools: Vec<Tool>) -> Self {
        Self { inner: Arc::new(Inner { tools, json: OnceLock::new() }) }
    }
}

impl From<ToolList> for Vec<Tool> {
    fn from(list: ToolList) -> Self {
        list.into_vec()
    }
}

impl FromIterator<Tool> for ToolList {
    fn from_iter<I: IntoIterator<Item = Tool>>(iter: I) -> Self {
        Self::from(iter.into_iter().collect::<Vec<_>>())
    }
}

impl<'a> IntoIterator for &'a ToolList {
    type Item = &'a Tool;
    type IntoIter = std::slice::Iter<'a, Tool>;
    fn into_iter(self) -> Self::IntoIter {
        self.inner.tools.iter()
    }
}

impl IntoIterator for ToolList {
    type Item = Tool;
    type IntoIter = std::vec::IntoIter<Tool>;
    /// The tools by value (copied only when the list is shared).
    fn into_iter(self) -> Self::IntoIter {
        self.into_vec().into_iter()
    }
}

impl PartialEq for ToolList {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner) || self.inner.tools == other.inner.tools
    }
}

impl fmt::Debug for ToolList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.inner.tools.iter()).finish()
    }
}

impl Serialize for ToolList {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_raw_json().map_err(serde::ser::Error::custom)?.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for ToolList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Vec::<Tool>::deserialize(deserializer).map(Self::from)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::{JsonObject, ListToolsResult};

    fn tool(name: &str) -> Tool {
        let schema: JsonObject = json!({"type": "object"}).as_object().unwrap().clone();
        Tool::new(name, "A tool", schema)
    }

    #[test]
    fn clones_share_the_tools_and_the_cached_json() {
        let list: ToolList = vec![tool("a"), tool("b")].into();
        let copy = list.clone();
        assert!(std::ptr::eq(list.as_slice(), copy.as_slice()));
        let first = serde_json::to_string(&list).unwrap();
        assert!(std::ptr::eq(list.to_raw_json().unwrap(), copy.to_raw_json().unwrap()));
        assert_eq!(serde_json::to_string(&copy).unwrap(), first);
        assert_eq!(serde_json::to_value(&copy).unwrap(), serde_json::to_value(vec![tool("a"), tool("b")]).unwrap());
    }

    #[test]
    fn serializes_like_a_vec_and_round_trips() {
        let tools = vec![tool("a"), tool("b")];
        let result = ListToolsResult::new(tools.clone()).with_next_cursor("c");
        let text = serde_json::to_string(&result).unwrap();
        let plain = json!({"tools": serde_json::to_value(&tools).unwrap(), "nextCursor": "c"});
        assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap(), plain);
        let back: ListToolsResult = serde_json::from_str(&text).unwrap();
        assert_eq!(back, result);
        assert_eq!(format!("{:?}", back.tools), format!("{tools:?}"));
    }

    #[test]
    fn into_vec_moves_when_unique_and_copies_when_shared() {
        let list: ToolList = [tool("a")].into_iter().collect();
        let ptr = list.as_ptr();
        let owned = list.into_vec();
        assert_eq!(owned.as_ptr(), ptr);
        let list: ToolList = vec![tool("a")].into();
        let shared = list.clone();
        let owned = list.into_vec();
        assert_ne!(owned.as_ptr(), shared.as_ptr());
        assert_eq!(owned, shared.as_slice());
        assert_eq!((&shared).into_iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["a"]);
        assert!(ToolList::default().is_empty());
    }
}
