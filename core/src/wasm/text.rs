//! JavaScript strings copied into WebAssembly memory by `TextEncoder.encodeInto` — the browser's and Node's
//! own encoder, in one call — into a buffer a [`TextReader`] keeps, instead of wasm-bindgen's `as_string`,
//! which copies ASCII one character at a time from JavaScript into a new allocation. `PolicySet.decide`
//! reads a request's JSON text on every call; this is its copy. The text is the same UTF-8 either way
//! (`encodeInto` is what wasm-bindgen falls back to for non-ASCII text; a lone surrogate becomes U+FFFD).

use alloc::vec;
use alloc::vec::Vec;
use core::cell::RefCell;

use js_sys::{JsString, Uint8Array, WebAssembly};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::error;

#[wasm_bindgen]
extern "C" {
    type TextEncoder;
    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;
    #[wasm_bindgen(method, js_name = encodeInto)]
    fn encode_into(this: &TextEncoder, text: &JsString, into: &Uint8Array) -> EncodeResult;

    /// `encodeInto`'s `{ read, written }`.
    type EncodeResult;
    #[wasm_bindgen(method, getter)]
    fn written(this: &EncodeResult) -> u32;
}

/// Texts up to this many bytes (3 per UTF-16 code unit, the most UTF-8 needs) are copied into the reader's
/// own buffer, kept between calls (as large as the longest such text so far, from 1 KiB); longer ones into a
/// buffer of their own, freed after the call.
const KEPT: usize = 64 * 1024;

/// Copies JavaScript strings into WebAssembly memory for one owner (a `PolicySet`).
pub(super) struct TextReader {
    encoder: TextEncoder,
    kept: RefCell<Kept>,
}

/// The kept buffer and a `Uint8Array` over it (made again after the WebAssembly memory grows, which
/// detaches the old view: its length is then 0).
struct Kept {
    buf: Vec<u8>,
    view: Option<Uint8Array>,
}

impl TextReader {
    pub(super) fn new() -> TextReader {
        TextReader {
            encoder: TextEncoder::new(),
            kept: RefCell::new(Kept {
                buf: Vec::new(),
                view: None,
            }),
        }
    }

    /// Calls `read` with `text` as UTF-8, lent for the call.
    pub(super) fn with<R>(
        &self,
        text: &JsString,
        read: impl FnOnce(&str) -> Result<R, JsValue>,
    ) -> Result<R, JsValue> {
        let units = usize::try_from(text.length()).unwrap_or(usize::MAX);
        let most = units.saturating_mul(3);
        // Kept, unless the text is long or a call is already using the buffer.
        let mut kept = match self.kept.try_borrow_mut() {
            Ok(kept) if most <= KEPT => kept,
            _ => {
                let mut buf = vec![0; most];
                let view = view_of(&mut buf)?;
                let n = self.encode(text, &view, &buf)?;
                return read(utf8(&buf, n)?);
            }
        };
        let Kept { buf, view } = &mut *kept;
        if buf.len() < most {
            *buf = vec![0; most.next_power_of_two().max(1024)];
            *view = None;
        }
        let fresh = match view.take() {
            Some(v) if usize::try_from(v.byte_length()).ok() == Some(buf.len()) => v,
            _ => view_of(buf)?,
        };
        let n = self.encode(text, &fresh, buf)?;
        *view = Some(fresh);
        read(utf8(buf, n)?)
    }

    /// Encodes `text` into `view` (over `buf`); the number of bytes written.
    fn encode(&self, text: &JsString, view: &Uint8Array, buf: &[u8]) -> Result<usize, JsValue> {
        let n = usize::try_from(self.encoder.encode_into(text, view).written()).unwrap_or(0);
        if n > buf.len() {
            return Err(error(
                "InternalError",
                "the text encoder wrote past its buffer",
            ));
        }
        Ok(n)
    }
}

/// A `Uint8Array` over `buf` in the WebAssembly memory.
fn view_of(buf: &mut [u8]) -> Result<Uint8Array, JsValue> {
    let offset = u32::try_from(buf.as_mut_ptr() as usize);
    let len = u32::try_from(buf.len());
    let (Ok(offset), Ok(len)) = (offset, len) else {
        return Err(error("InternalError", "a buffer outside 32-bit memory"));
    };
    let memory: WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    Ok(Uint8Array::new_with_byte_offset_and_length(
        &memory.buffer(),
        offset,
        len,
    ))
}

/// The first `n` bytes of `buf` as text (`encodeInto` writes UTF-8, so this never fails in practice).
fn utf8(buf: &[u8], n: usize) -> Result<&str, JsValue> {
    buf.get(..n)
        .and_then(|b| core::str::from_utf8(b).ok())
        .ok_or_else(|| error("InternalError", "the text encoder wrote invalid UTF-8"))
}
