//! The example scenarios of the menu (`tests/scenarios/`, listed by `web/build.rs`).
//!
//! The seed scenario opens on load, so it is embedded in the wasm. In the browser the other
//! examples are fetched on first use from `examples/` next to the page (Trunk copies
//! `tests/scenarios/` there): about 8 KB of the wasm's gzip size that a visitor who never opens
//! them doesn't download (the playground's 600 KB budget, README "Playground budgets"). A fetched file
//! must have the hash of the file the build listed — a stale cache or a different file is refused
//! with a message, never opened. Native builds (the tests) embed every example.
//!
//! [`open`] is how the menu and the tour open an example: at once when its document is at
//! hand, else after the fetch, with [`ScenarioMsg::Loading`] and [`ScenarioMsg::LoadFailed`] for the
//! panel in between.

use std::cell::RefCell;

use yew::prelude::*;

use crate::scenario::{ScenarioMsg, ScenarioState};

/// One example of the menu.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExampleFile {
    /// File name in `tests/scenarios/` (and in the served `examples/`).
    pub file: &'static str,
    /// The document's `name` (the file name when it has none).
    pub name: &'static str,
    /// The document's `description` (empty when it has none).
    pub description: &'static str,
    /// FNV-1a 64 of the file's bytes, checked on a fetched copy.
    pub hash: u64,
    /// The document, when the build embeds it.
    pub embedded: Option<&'static str>,
}

include!(concat!(env!("OUT_DIR"), "/examples.rs"));

/// The seed scenario's document (always embedded).
pub fn seed() -> &'static str {
    text(0).unwrap_or("")
}

/// Example `i`'s document, when it is embedded or was fetched already.
pub fn text(i: usize) -> Option<&'static str> {
    let example = EXAMPLES.get(i)?;
    example.embedded.or_else(|| {
        FETCHED.with(|f| {
            f.borrow()
                .iter()
                .find(|(file, _)| *file == example.file)
                .map(|(_, text)| *text)
        })
    })
}

/// The index of the example in `file`.
pub fn index_of(file: &str) -> Option<usize> {
    EXAMPLES.iter().position(|e| e.file == file)
}

/// Opens example `i` in the Scenario tab, then calls `then` (right away when the document is at
/// hand; after it is fetched otherwise, and not at all when the fetch fails: the panel says why).
pub fn open(
    dispatch: &UseReducerDispatcher<ScenarioState>,
    i: usize,
    then: impl FnOnce() + 'static,
) {
    // Only the latest request opens: a fetch that ends after another example was chosen is dropped.
    let request = LATEST.with(|l| {
        l.set(l.get().wrapping_add(1));
        l.get()
    });
    if text(i).is_some() {
        dispatch.dispatch(ScenarioMsg::Select(i));
        then();
        return;
    }
    dispatch.dispatch(ScenarioMsg::Loading(i));
    #[cfg(target_arch = "wasm32")]
    {
        let dispatch = dispatch.clone();
        yew::platform::spawn_local(async move {
            let fetched = fetch(i).await;
            if LATEST.with(std::cell::Cell::get) != request {
                return;
            }
            match fetched {
                Ok(_) => {
                    dispatch.dispatch(ScenarioMsg::Select(i));
                    then();
                }
                Err(e) => dispatch.dispatch(ScenarioMsg::LoadFailed(i, e)),
            }
        });
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = (then, request);
        dispatch.dispatch(ScenarioMsg::LoadFailed(
            i,
            String::from("this build has no copy of the example"),
        ));
    }
}

/// FNV-1a, 64 bits (`web/build.rs` hashes each example with the same function).
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Checks a fetched copy of `example` and keeps it for the page's lifetime.
pub fn accept(example: &ExampleFile, body: String) -> Result<&'static str, String> {
    let hash = fnv1a64(body.as_bytes());
    if hash != example.hash {
        return Err(format!(
            "the server's `examples/{}` is not the file this version of the playground was built \
             with ({} bytes, hash {hash:016x}, expected {:016x}); reload the page without the cache",
            example.file,
            body.len(),
            example.hash
        ));
    }
    // Kept until the page closes: at most one copy of each example (a few tens of KB).
    let text: &'static str = Box::leak(body.into_boxed_str());
    FETCHED.with(|f| f.borrow_mut().push((example.file, text)));
    Ok(text)
}

thread_local! {
    /// The number of the latest [`open`] request.
    static LATEST: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    /// The examples fetched so far: `(file, document)`.
    static FETCHED: RefCell<Vec<(&'static str, &'static str)>> = const { RefCell::new(Vec::new()) };
}

/// Fetches example `i` from `examples/` (relative to the page), unless it is at hand.
#[cfg(target_arch = "wasm32")]
pub async fn fetch(i: usize) -> Result<&'static str, String> {
    if let Some(text) = text(i) {
        return Ok(text);
    }
    let example = EXAMPLES
        .get(i)
        .ok_or_else(|| format!("there is no example {i}"))?;
    // The hash in the query keeps a cached copy of an older version from being asked for.
    let body = crate::fetch_text(&format!(
        "examples/{}?h={:016x}",
        example.file, example.hash
    ))
    .await?;
    accept(example, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_is_listed_with_its_name_and_hash() {
        assert!(EXAMPLES.len() >= 11, "{}", EXAMPLES.len());
        assert_eq!(EXAMPLES.first().map(|e| e.file), Some("seed.json"));
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/scenarios/");
        for (i, e) in EXAMPLES.iter().enumerate() {
            let on_disk = std::fs::read_to_string(format!("{dir}{}", e.file)).unwrap_or_default();
            assert_eq!(text(i), Some(on_disk.as_str()), "{}", e.file);
            assert_eq!(fnv1a64(on_disk.as_bytes()), e.hash, "{}", e.file);
            let doc: serde_json::Value = serde_json::from_str(&on_disk).unwrap_or_default();
            assert_eq!(doc.get("name").and_then(|n| n.as_str()), Some(e.name));
            assert_eq!(index_of(e.file), Some(i));
        }
    }

    #[test]
    fn a_fetched_copy_must_be_the_built_file() {
        let example = ExampleFile {
            file: "x.json",
            name: "x",
            description: "",
            hash: fnv1a64(b"{\"a\":1}"),
            embedded: None,
        };
        match accept(&example, String::from("{\"a\":2}")) {
            Err(e) => assert!(
                e.contains("`examples/x.json`") && e.contains("7 bytes"),
                "{e}"
            ),
            Ok(text) => panic!("a different file was accepted: {text}"),
        }
        assert_eq!(accept(&example, String::from("{\"a\":1}")), Ok("{\"a\":1}"));
        // FNV-1a 64's published test vectors.
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
