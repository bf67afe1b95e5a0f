//! The embed page: minimal chrome for iframes in docs sites (`docs/share-links.md`, "Embedding").
//!
//! `/?embed#s=1.…` (or `/#embed&s=1.…`) shows the share link's scenario — its name, the run's
//! summary and the calls with their details — with an "Open in playground" link to the same
//! fragment on the full page. No tabs, no editors. Without a share link it shows the seed.

use yew::prelude::*;

use crate::i18n::{tr, trf};
use crate::scenario::{location_fragment, ScenarioMsg, ScenarioState};
use crate::{share, str_at, views};

/// The fragment marker of the embed page (`#embed` or `#embed&s=…`).
pub const MARKER: &str = "embed";

/// Whether a page with this query (`?embed`, `?a=1&embed`) and fragment (`#embed&s=…`) is the
/// embed page.
pub fn is_embed_url(search: &str, fragment: &str) -> bool {
    let in_query = search
        .trim_start_matches('?')
        .split('&')
        .any(|p| p == MARKER || p.starts_with("embed="));
    let fragment = fragment.trim_start_matches('#');
    let in_fragment = fragment == MARKER || fragment.starts_with("embed&");
    in_query || in_fragment
}

/// Whether this page is the embed page.
pub fn is_embed() -> bool {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    is_embed_url(&search, &location_fragment())
}

/// The share fragment in an embed page's fragment (`#embed&s=…` → `#s=…`).
pub fn share_fragment(fragment: &str) -> String {
    let fragment = fragment.trim_start_matches('#');
    let fragment = if fragment == MARKER {
        ""
    } else {
        fragment.strip_prefix("embed&").unwrap_or(fragment)
    };
    format!("#{fragment}")
}

/// The full playground's URL for `fragment` (`#s=…`, or empty): this page without `?embed` (with
/// `?lang=zh-TW` when the embed is in Traditional Chinese).
fn playground_link(fragment: &str) -> String {
    let location = web_sys::window().map(|w| w.location());
    let origin = location
        .as_ref()
        .and_then(|l| l.origin().ok())
        .unwrap_or_default();
    let path = location
        .as_ref()
        .and_then(|l| l.pathname().ok())
        .unwrap_or_else(|| "/".to_owned());
    let query = match crate::i18n::current() {
        crate::i18n::Lang::En => String::new(),
        lang => format!("?lang={}", lang.tag()),
    };
    if share::is_share_fragment(fragment) {
        format!("{origin}{path}{query}{fragment}")
    } else {
        format!("{origin}{path}{query}")
    }
}

/// The page the app mounts: the embed page or the full playground.
#[function_component(Root)]
pub fn root() -> Html {
    // The chosen language once its texts are at hand (`crate::start` waits for them).
    let lang = use_state_eq(|| crate::i18n::usable(crate::i18n::initial()));
    // Before the children render: `tr` reads the thread-local language.
    crate::i18n::set(*lang);
    let setter = {
        let lang = lang.clone();
        crate::i18n::LangSetter(Callback::from(move |l: crate::i18n::Lang| {
            crate::i18n::remember(l);
            lang.set(l);
        }))
    };
    html! {
        <ContextProvider<crate::i18n::Lang> context={*lang}>
            <ContextProvider<crate::i18n::LangSetter> context={setter}>
                if is_embed() {
                    <EmbedPage />
                } else {
                    <crate::App />
                }
            </ContextProvider<crate::i18n::LangSetter>>
        </ContextProvider<crate::i18n::Lang>>
    }
}

/// The embed page.
#[function_component(EmbedPage)]
pub fn embed_page() -> Html {
    let _lang = crate::i18n::use_lang();
    let fragment = use_state(|| share_fragment(&location_fragment()));
    let state = {
        let fragment = (*fragment).clone();
        use_reducer(move || ScenarioState::from_fragment(&fragment))
    };
    {
        // A later change of the fragment (a docs page swapping the iframe's hash) opens that link.
        let dispatch = state.dispatcher();
        let fragment = fragment.clone();
        use_effect_with((), move |_| {
            crate::on_hashchange(move || {
                let next = share_fragment(&location_fragment());
                if share::is_share_fragment(&next) {
                    fragment.set(next.clone());
                    dispatch.dispatch(ScenarioMsg::OpenLink(next));
                }
            })
        });
    }
    let on_toggle = {
        let dispatch = state.dispatcher();
        Callback::from(move |i| dispatch.dispatch(ScenarioMsg::ToggleCall(i)))
    };
    let run = &state.run;
    let description = str_at(&state.original_doc, "description")
        .unwrap_or("")
        .to_owned();
    let body = match &run.result {
        Ok(result) => html! {
            <>
                <p class="summary-row">
                    <span id="summary" class="summary" role="status">
                        { crate::scenario::summary_line(result) }
                    </span>
                </p>
                <div id="view-panel" class="view view-calls" key={run.serial.to_string()}>
                    { views::calls(result, &run.steps, run.home_account.as_deref(),
                                   state.open_call, on_toggle, None) }
                </div>
            </>
        },
        Err(e) => html! {
            <div class="engine-error" id="run-error" role="alert">
                <strong>{ e.code.clone() }</strong>{ ": " }{ e.message.clone() }
            </div>
        },
    };
    html! {
        <main class="page embed" id="embed">
            <header class="embed-head">
                <h1 id="embed-name">{ state.name() }</h1>
                <p class="embed-links">
                    <a id="open-in-playground" href={playground_link(&fragment)}
                        target="_blank" rel="noopener">
                        { tr("Open in playground ↗") }
                    </a>
                    <span class="local" id="local-note">
                        { " · " }{ tr("Evaluated locally in your browser — nothing is sent anywhere") }
                    </span>
                </p>
            </header>
            if let Some(error) = &state.link_error {
                <div class="engine-error link-error" id="share-error" role="alert">
                    <strong>{ tr("This share link could not be opened") }</strong>
                    { tr(": ") }{ error.clone() }
                    { trf(" Showing “{name}” instead.", &[("name", &state.name())]) }
                </div>
            }
            if !description.is_empty() {
                <details class="embed-description">
                    <summary>{ tr("About this scenario") }</summary>
                    <p id="description" class="description">{ description }</p>
                </details>
            }
            <section class="result run" id="run-result" aria-label={tr("Run")}>
                { body }
            </section>
            <footer class="footer">
                { format!("kmslab-core {}", kmslab_core::VERSION) }
            </footer>
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embed_urls_are_recognised() {
        assert!(is_embed_url("?embed", "#s=1.0.1.AAAA"));
        assert!(is_embed_url("?x=1&embed", ""));
        assert!(is_embed_url("?embed=1", ""));
        assert!(is_embed_url("", "#embed&s=1.0.1.AAAA"));
        assert!(is_embed_url("", "#embed"));
        assert!(!is_embed_url("", "#s=1.0.1.AAAA"));
        assert!(!is_embed_url("?embedded", "#scenario"));
        assert!(!is_embed_url("", "#embedded"));
    }

    #[test]
    fn the_share_fragment_is_found_in_both_forms() {
        assert_eq!(share_fragment("#embed&s=1.0.1.AAAA"), "#s=1.0.1.AAAA");
        assert_eq!(share_fragment("#s=1.0.1.AAAA"), "#s=1.0.1.AAAA");
        assert_eq!(share_fragment("#embed"), "#");
        assert_eq!(share_fragment(""), "#");
        assert_eq!(share_fragment("#embedded"), "#embedded");
        let link = share::encode("{\"kmslab\": 1, \"name\": \"x\"}");
        let state = ScenarioState::from_fragment(&share_fragment(&format!("#embed&{link}")));
        assert_eq!(state.link_error, None);
        assert_eq!(state.name(), "x");
    }
}
