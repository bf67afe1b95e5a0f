//! The interface's two languages: English and Traditional Chinese (`zh-TW`).
//!
//! Every piece of interface text is written in English in the source and passed through [`tr`]
//! (or [`trf`] when it has `{placeholders}`); [`zh_tw::TABLE`] maps each English text to its
//! Traditional Chinese translation, with AWS's own terms from the zh-TW edition of the seed page
//! ("Security and access control": 特徵商店, 線上儲存, 離線儲存, 客戶受管金鑰, 金鑰政策, 授予 for a
//! grant — the page keeps 授權 for authorization —, …).
//! What stays as AWS returns it is not passed through `tr`: error codes and messages, ARNs,
//! operation names (`kms:Decrypt`, `PutRecord`), policy JSON, CloudTrail events and the engine's
//! trace (reason codes are shown as they are).
//!
//! A sentence with markup inside (text, `<code>`, text) is one text with placeholders, filled by
//! [`fill`], so each language orders the pieces its own way.
//!
//! The language is chosen once on load ([`initial`]: `?lang=` in the URL, then the choice saved
//! in `localStorage` under [`STORAGE_KEY`], then the browser's languages) and changed with the
//! header's switch ([`set`], and [`remember`] saves the choice). Components read it with [`use_lang`], which subscribes them to the
//! app's `ContextProvider<Lang>`, so they render again when it changes; [`tr`] itself reads the
//! current language from a thread-local set by [`set`].
//!
//! A test (`every_text_is_translated`) reads the crate's sources and fails when a `tr("…")` or
//! `trf("…")` text has no translation, or a translation is no longer used.

use std::cell::Cell;
use std::fmt::Display;

use yew::prelude::*;

mod zh_tw;

/// The interface languages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    En,
    ZhTw,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::ZhTw];

    /// The BCP 47 tag (`<html lang>`, `?lang=`).
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhTw => "zh-TW",
        }
    }

    /// The language's own name (for the switch).
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::ZhTw => "繁體中文",
        }
    }

    /// The language a BCP 47 tag asks for: `zh-TW`, `zh-Hant…` and `zh-HK`/`zh-MO` are Traditional
    /// Chinese; anything else (including other Chinese) is `None`.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let tag = tag.trim().to_ascii_lowercase().replace('_', "-");
        if tag == "en" || tag.starts_with("en-") {
            return Some(Lang::En);
        }
        let traditional = ["zh-tw", "zh-hant", "zh-hk", "zh-mo"]
            .iter()
            .any(|t| tag == *t || tag.starts_with(&format!("{t}-")));
        traditional.then_some(Lang::ZhTw)
    }
}

/// The Traditional Chinese texts, fetched by the browser build (see [`zh_tw::TABLE`]).
pub const ZH_TW_FILE: &str = "i18n/zh-TW.json";

// `ZH_TW_HASH`: FNV-1a 64 of www/i18n/zh-TW.json, from web/build.rs.
include!(concat!(env!("OUT_DIR"), "/i18n.rs"));

/// Whether `lang`'s texts are at hand (English always; Traditional Chinese once loaded).
pub fn ready(lang: Lang) -> bool {
    match lang {
        Lang::En => true,
        #[cfg(not(target_arch = "wasm32"))]
        Lang::ZhTw => true,
        #[cfg(target_arch = "wasm32")]
        Lang::ZhTw => loaded().is_some(),
    }
}

/// `lang` when its texts are at hand, else English.
pub fn usable(lang: Lang) -> Lang {
    if ready(lang) {
        lang
    } else {
        Lang::En
    }
}

/// Reads the translation file: a JSON array of `[English, Traditional Chinese]` pairs, sorted by
/// the English text, which must be the file this build was made with (its hash).
pub fn parse_table(body: &str) -> Result<Vec<(String, String)>, String> {
    let hash = crate::examples::fnv1a64(body.as_bytes());
    if hash != ZH_TW_HASH {
        return Err(format!(
            "the server's `{ZH_TW_FILE}` is not the file this version of the playground was built \
             with ({} bytes, hash {hash:016x}, expected {ZH_TW_HASH:016x}); reload the page without \
             the cache",
            body.len()
        ));
    }
    let pairs: Vec<(String, String)> =
        serde_json::from_str(body).map_err(|e| format!("`{ZH_TW_FILE}` is not readable: {e}"))?;
    if pairs.windows(2).any(|w| matches!(w, [a, b] if a.0 >= b.0)) {
        return Err(format!("`{ZH_TW_FILE}` is not sorted"));
    }
    Ok(pairs)
}

/// The loaded Traditional Chinese table (leaked once: it lives as long as the page).
#[cfg(target_arch = "wasm32")]
type Table = &'static [(&'static str, &'static str)];

#[cfg(target_arch = "wasm32")]
thread_local! {
    static ZH_TW: Cell<Option<Table>> = const { Cell::new(None) };
}

/// The fetched Traditional Chinese table, when it has been loaded.
#[cfg(target_arch = "wasm32")]
fn loaded() -> Option<Table> {
    ZH_TW.with(Cell::get)
}

/// Makes `lang`'s texts ready: fetches [`ZH_TW_FILE`] (relative to the page) the first time
/// Traditional Chinese is asked for. On an error the language stays unusable and the message says
/// why.
#[cfg(target_arch = "wasm32")]
pub async fn load(lang: Lang) -> Result<(), String> {
    if ready(lang) {
        return Ok(());
    }
    // The hash in the query keeps a cached copy of an older version from being asked for.
    let body = crate::fetch_text(&format!("{ZH_TW_FILE}?h={ZH_TW_HASH:016x}")).await?;
    if ready(lang) {
        return Ok(());
    }
    let table: Vec<(&'static str, &'static str)> = parse_table(&body)?
        .into_iter()
        .map(|(en, zh)| -> (&'static str, &'static str) {
            (
                Box::leak(en.into_boxed_str()),
                Box::leak(zh.into_boxed_str()),
            )
        })
        .collect();
    let table: Table = Box::leak(table.into_boxed_slice());
    ZH_TW.with(|t| t.set(Some(table)));
    Ok(())
}

/// The `localStorage` key of the chosen language.
pub const STORAGE_KEY: &str = "kmslab.lang";

thread_local! {
    static CURRENT: Cell<Lang> = const { Cell::new(Lang::En) };
}

/// The current interface language.
pub fn current() -> Lang {
    CURRENT.with(Cell::get)
}

/// `en` in the current language (itself when the language is English or has no translation).
pub fn tr(en: &'static str) -> &'static str {
    translate(current(), en)
}

/// `en` in `lang`.
pub fn translate(lang: Lang, en: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::ZhTw => zh_tw::lookup(en).unwrap_or(en),
    }
}

/// [`tr`], then each `{name}` replaced by its value: `trf("{n} calls", &[("n", &3)])`.
pub fn trf(en: &'static str, args: &[(&str, &dyn Display)]) -> String {
    let mut out = tr(en).to_owned();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), &value.to_string());
    }
    out
}

/// Sets the current language for [`tr`] (does not re-render: the app's context does that).
/// In the browser it also sets `<html lang>` and the document's title.
pub fn set(lang: Lang) {
    CURRENT.with(|c| c.set(lang));
    #[cfg(target_arch = "wasm32")]
    {
        let document = web_sys::window().and_then(|w| w.document());
        if let Some(root) = document.as_ref().and_then(|d| d.document_element()) {
            if root.get_attribute("lang").as_deref() != Some(lang.tag()) {
                let _ = root.set_attribute("lang", lang.tag());
            }
        }
        if let Some(document) = document {
            let title = tr("kmslab — Feature Store security playground");
            if document.title() != title {
                document.set_title(title);
            }
        }
    }
}

/// Remembers a language the visitor chose with the switch: in `localStorage`, and in the URL's
/// `?lang=` when it has one (which would otherwise win over the choice on the next load).
pub fn remember(lang: Lang) {
    #[cfg(target_arch = "wasm32")]
    {
        let window = web_sys::window();
        if let Some(storage) = window
            .as_ref()
            .and_then(|w| w.local_storage().ok().flatten())
        {
            let _ = storage.set_item(STORAGE_KEY, lang.tag());
        }
        let location = window.as_ref().map(|w| w.location());
        let search = location
            .as_ref()
            .and_then(|l| l.search().ok())
            .unwrap_or_default();
        if let Some(search) = with_lang_in_query(&search, lang) {
            let hash = location
                .as_ref()
                .and_then(|l| l.hash().ok())
                .unwrap_or_default();
            let path = location
                .as_ref()
                .and_then(|l| l.pathname().ok())
                .unwrap_or_default();
            if let Some(history) = window.and_then(|w| w.history().ok()) {
                let _ = history.replace_state_with_url(
                    &js_sys::wasm_bindgen::JsValue::NULL,
                    "",
                    Some(&format!("{path}{search}{hash}")),
                );
            }
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = lang;
    }
}

/// The query `search` (`?a=1&lang=en`) with its `lang=` set to `lang`; `None` when it has no
/// `lang=` or already names `lang`.
pub fn with_lang_in_query(search: &str, lang: Lang) -> Option<String> {
    let pairs: Vec<&str> = search
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .collect();
    let current = pairs.iter().find_map(|p| p.strip_prefix("lang="))?;
    if current == lang.tag() {
        return None;
    }
    let replaced: Vec<String> = pairs
        .iter()
        .map(|p| {
            if p.starts_with("lang=") {
                format!("lang={}", lang.tag())
            } else {
                (*p).to_owned()
            }
        })
        .collect();
    Some(format!("?{}", replaced.join("&")))
}

/// Markup for a translated text whose `{name}` placeholders are pieces of markup (a `<code>`, a
/// link), so that each language can put them where its word order needs them:
/// `fill(tr("It is the policy of the key {key}."), [("key", html! { <code>{ arn }</code> })])`.
/// A placeholder with no piece is left as written.
pub fn fill<const N: usize>(text: &str, pieces: [(&str, Html); N]) -> Html {
    let pieces: Vec<(String, Html)> = pieces
        .into_iter()
        .map(|(name, html)| (format!("{{{name}}}"), html))
        .collect();
    let mut nodes: Vec<Html> = Vec::new();
    let mut rest = text;
    loop {
        let next = pieces
            .iter()
            .filter_map(|(hole, html)| rest.find(hole.as_str()).map(|at| (at, hole, html)))
            .min_by_key(|(at, _, _)| *at);
        let Some((before, after, html)) = next
            .and_then(|(_, hole, html)| rest.split_once(hole.as_str()).map(|(b, a)| (b, a, html)))
        else {
            break;
        };
        if !before.is_empty() {
            nodes.push(html! { { before.to_owned() } });
        }
        nodes.push(html.clone());
        rest = after;
    }
    if !rest.is_empty() {
        nodes.push(html! { { rest.to_owned() } });
    }
    html! { <>{ for nodes }</> }
}

/// The language to start in: `?lang=` in the URL, else the saved choice, else the first of the
/// browser's languages that is English or Traditional Chinese, else English.
pub fn initial() -> Lang {
    #[cfg(target_arch = "wasm32")]
    {
        let window = web_sys::window();
        let query = window
            .as_ref()
            .and_then(|w| w.location().search().ok())
            .unwrap_or_default();
        let from_query = query
            .trim_start_matches('?')
            .split('&')
            .filter_map(|pair| pair.strip_prefix("lang="))
            .find_map(Lang::from_tag);
        let saved = || {
            window
                .as_ref()
                .and_then(|w| w.local_storage().ok().flatten())
                .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
                .and_then(|t| Lang::from_tag(&t))
        };
        let browser = || {
            let languages = window.as_ref().map(|w| w.navigator().languages());
            languages.and_then(|list| {
                list.iter()
                    .filter_map(|v| v.as_string())
                    .find_map(|t| Lang::from_tag(&t))
            })
        };
        from_query
            .or_else(saved)
            .or_else(browser)
            .unwrap_or_default()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        Lang::En
    }
}

/// The current language, and a subscription to its changes (call it in every function component
/// that shows text, so the component renders again when the language changes).
#[hook]
pub fn use_lang() -> Lang {
    use_context::<Lang>().unwrap_or_else(current)
}

/// Changes the app's language (provided by the root component beside the `Lang` context).
#[derive(Clone, PartialEq)]
pub struct LangSetter(pub Callback<Lang>);

thread_local! {
    /// Why a language's texts could not be loaded when the page opened (see `crate::start`).
    static FAILED: std::cell::RefCell<Option<(Lang, String)>> = const { std::cell::RefCell::new(None) };
}

/// Notes that `lang`'s texts could not be loaded when the page opened (the switch shows it).
pub fn failed(lang: Lang, why: String) {
    FAILED.with(|f| *f.borrow_mut() = Some((lang, why)));
}

/// The header's language switch: one button per language, the current one pressed. A language
/// whose texts are not at hand yet is fetched first ([`load`]); the switch says if that fails.
#[function_component(LangSwitch)]
pub fn lang_switch() -> Html {
    let current = use_lang();
    let setter = use_context::<LangSetter>();
    // The language being fetched, or the one that could not be and why.
    let pending = use_state(|| FAILED.with(|f| f.borrow().clone().map(|(l, why)| (l, Some(why)))));
    html! {
        <div class="lang-switch" id="lang-switch" role="group" aria-label="Language / 語言">
            { for Lang::ALL.into_iter().map(|lang| {
                let setter = setter.clone();
                let busy = matches!(&*pending, Some((l, None)) if *l == lang);
                let pending = pending.clone();
                let onclick = Callback::from(move |_: MouseEvent| {
                    let Some(LangSetter(set)) = setter.clone() else {
                        return;
                    };
                    if ready(lang) {
                        pending.set(None);
                        set.emit(lang);
                        return;
                    }
                    pending.set(Some((lang, None)));
                    #[cfg(target_arch = "wasm32")]
                    {
                        let pending = pending.clone();
                        yew::platform::spawn_local(async move {
                            match load(lang).await {
                                Ok(()) => {
                                    pending.set(None);
                                    set.emit(lang);
                                }
                                Err(why) => pending.set(Some((lang, Some(why)))),
                            }
                        });
                    }
                });
                let pressed = lang == current;
                html! {
                    <button type="button" id={format!("lang-{}", lang.tag())}
                        class={classes!("lang", pressed.then_some("selected"))}
                        lang={lang.tag()} aria-pressed={pressed.to_string()}
                        aria-busy={busy.then_some("true")} {onclick}>
                        { lang.name() }
                    </button>
                }
            }) }
            if let Some((lang, Some(why))) = &*pending {
                // In both languages: the one asked for could not be shown.
                <span class="lang-error" id="lang-error" role="alert">
                    { format!("{} could not be loaded / 無法載入{}: {why}", lang.name(), lang.name()) }
                </span>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_pick_languages() {
        assert_eq!(Lang::from_tag("zh-TW"), Some(Lang::ZhTw));
        assert_eq!(Lang::from_tag("zh-Hant-TW"), Some(Lang::ZhTw));
        assert_eq!(Lang::from_tag("zh_hk"), Some(Lang::ZhTw));
        assert_eq!(Lang::from_tag("zh-CN"), None);
        assert_eq!(Lang::from_tag("en-GB"), Some(Lang::En));
        assert_eq!(Lang::from_tag("fr"), None);
    }

    #[test]
    fn translations_follow_the_language_and_fill_placeholders() {
        set(Lang::ZhTw);
        let zh = tr("Scenario");
        set(Lang::En);
        assert_eq!(tr("Scenario"), "Scenario");
        assert_ne!(zh, "Scenario");
        assert_eq!(translate(Lang::ZhTw, "no such text"), "no such text");
        assert_eq!(
            trf(
                "{n} calls changed outcome since the previous run",
                &[("n", &3)]
            ),
            "3 calls changed outcome since the previous run"
        );
    }

    #[test]
    fn the_query_keeps_its_other_parameters() {
        assert_eq!(
            with_lang_in_query("?embed&lang=zh-TW", Lang::En).as_deref(),
            Some("?embed&lang=en")
        );
        assert_eq!(with_lang_in_query("?lang=en", Lang::En), None);
        assert_eq!(with_lang_in_query("?embed", Lang::ZhTw), None);
        assert_eq!(with_lang_in_query("", Lang::ZhTw), None);
    }

    /// The Rust string literal starting at `text` (just after its opening quote), unescaped.
    fn literal(text: &str) -> Option<String> {
        let mut out = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '"' => return Some(out),
                '\\' => match chars.next()? {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    '"' => out.push('"'),
                    '\\' => out.push('\\'),
                    '\'' => out.push('\''),
                    '\n' => {
                        while chars.peek().is_some_and(|c| c.is_whitespace()) {
                            chars.next();
                        }
                    }
                    'u' => {
                        let mut hex = String::new();
                        chars.next(); // {
                        for h in chars.by_ref() {
                            if h == '}' {
                                break;
                            }
                            hex.push(h);
                        }
                        out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                    }
                    _ => return None,
                },
                c => out.push(c),
            }
        }
        None
    }

    /// Every `tr("…")` / `trf("…"` text in the crate's sources (also with the literal on the
    /// line after the parenthesis).
    fn texts_in_sources() -> Vec<(String, String)> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort();
        let mut out = Vec::new();
        for path in files {
            if path.extension().and_then(|e| e.to_str()) != Some("rs") {
                continue;
            }
            // Comment lines (doc examples) hold no interface text.
            let source: String = std::fs::read_to_string(&path)
                .unwrap_or_default()
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            let file = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("")
                .to_owned();
            // `tr(` then the literal, perhaps on the next line (as rustfmt writes long calls).
            // (`\x72` is `r`: so that this line is not itself a match.)
            for marker in ["t\x72(", "t\x72f("] {
                let mut rest = source.as_str();
                while let Some(at) = rest.find(marker) {
                    let before = rest[..at].chars().last();
                    rest = &rest[at + marker.len()..];
                    if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                        continue;
                    }
                    let Some(quoted) = rest.trim_start().strip_prefix('"') else {
                        continue;
                    };
                    if let Some(text) = literal(quoted) {
                        out.push((file.clone(), text));
                    }
                }
            }
        }
        out
    }

    #[cfg(not(target_arch = "wasm32"))] // the browser build has no built-in table
    #[test]
    fn every_text_is_translated() {
        let texts = texts_in_sources();
        assert!(texts.len() > 10, "found only {} texts", texts.len());
        let missing: Vec<_> = texts
            .iter()
            .filter(|(_, t)| t != "no such text" && zh_tw::lookup_owned(t).is_none())
            .collect();
        assert!(
            missing.is_empty(),
            "{} texts have no zh-TW translation: {missing:#?}",
            missing.len()
        );
        let used: std::collections::BTreeSet<&str> =
            texts.iter().map(|(_, t)| t.as_str()).collect();
        let unused: Vec<&str> = zh_tw::TABLE
            .iter()
            .map(|(en, _)| *en)
            .filter(|en| !used.contains(en))
            .collect();
        assert!(
            unused.is_empty(),
            "translations no longer used: {unused:#?}"
        );
    }

    /// The browser's copy of the table, `www/i18n/zh-TW.json`, is the table. After changing the
    /// table, `KMSLAB_BLESS=1 cargo test -p kmslab-web i18n` writes the file again (run the tests
    /// once more afterwards: the build hashes the file it embeds the hash of).
    #[cfg(not(target_arch = "wasm32"))] // the browser build has no built-in table
    #[test]
    fn the_served_table_is_the_table() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../www/i18n/zh-TW.json");
        let mut json = String::from("[\n");
        for (i, (en, zh)) in zh_tw::TABLE.iter().enumerate() {
            let pair = serde_json::to_string(&(en, zh)).unwrap_or_default();
            let comma = if i + 1 < zh_tw::TABLE.len() { "," } else { "" };
            json.push_str(&format!("  {pair}{comma}\n"));
        }
        json.push_str("]\n");
        if std::env::var_os("KMSLAB_BLESS").is_some() {
            let _ = std::fs::write(path, &json);
        }
        let served = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            served == json,
            "{path} differs from zh_tw::TABLE: run KMSLAB_BLESS=1 cargo test -p kmslab-web i18n"
        );
        // What the browser does with it (the hash is the build's, so only a built file passes).
        let pairs = parse_table(&served);
        assert_eq!(pairs.as_ref().map(Vec::len), Ok(zh_tw::TABLE.len()));
        let first = pairs.ok().and_then(|p| p.into_iter().next());
        assert_eq!(
            first,
            zh_tw::TABLE
                .first()
                .map(|(en, zh)| ((*en).to_owned(), (*zh).to_owned()))
        );
        assert!(parse_table(&served.replacen('[', "[ ", 1)).is_err_and(|e| e.contains("hash")));
    }

    #[cfg(not(target_arch = "wasm32"))] // the browser build has no built-in table
    #[test]
    fn the_table_is_sorted_unique_and_keeps_placeholders() {
        for pair in zh_tw::TABLE.windows(2) {
            if let [(a, _), (b, _)] = pair {
                assert!(a < b, "not sorted or duplicated: {a:?} / {b:?}");
            }
        }
        for (en, zh) in zh_tw::TABLE {
            assert!(!zh.is_empty(), "{en:?}");
            let holes = |s: &str| {
                let mut v: Vec<String> = s
                    .split('{')
                    .skip(1)
                    .filter_map(|p| p.split_once('}').map(|(h, _)| h.to_owned()))
                    .collect();
                v.sort();
                v
            };
            assert_eq!(holes(en), holes(zh), "placeholders differ: {en:?} / {zh:?}");
        }
    }
}
