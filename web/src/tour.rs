//! The guided tour (Tour tab): the claims of the SageMaker Feature Store security page, in the
//! page's order, each quoted exactly, explained in a line, and with a Run button that opens the
//! example scenario demonstrating it in the Scenario tab, runs it and opens the call that shows the
//! outcome.
//!
//! In Traditional Chinese a claim is quoted from the page's zh-TW edition, verbatim (AWS's own
//! machine translation, typos included), with the English sentence below it.
//!
//! The tour decides nothing either: a step only names an embedded example (`tests/scenarios/`) and
//! the index of a call in its run; the unit tests check that the call still has the outcome the
//! step describes.

use yew::prelude::*;

use crate::console::scroll_to_call;
use crate::i18n::{tr, trf, Lang};
use crate::scenario::{ScenarioMsg, ScenarioState, View};

/// One claim of the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    /// Used in element ids (`tour-run-…`).
    pub slug: &'static str,
    /// The page's sentence, verbatim.
    pub quote: &'static str,
    /// What the run shows, in a line.
    pub explain: &'static str,
    /// The same sentence on the zh-TW edition of the page, verbatim.
    pub quote_zh: &'static str,
    /// `explain` in Traditional Chinese.
    pub explain_zh: &'static str,
    /// The example scenario (file name in `tests/scenarios/`).
    pub file: &'static str,
    /// The call opened (0-based index in the run's `calls`; the list shows it as `call + 1`).
    pub call: usize,
    /// That call's operation and outcome (error code, or `ok`).
    pub op: &'static str,
    pub outcome: &'static str,
}

/// The page's claims, in the page's order.
pub const STEPS: [Step; 11] = [
    Step {
        slug: "online-offline",
        quote:
            "The online store is used for low latency real-time inference use cases whereas the \
                offline store is used for training and batch inference use cases.",
        explain: "One PutRecord (call 3) writes the online store and an S3 object in the offline \
                  store (read back in calls 5–6); GetRecord reads the online store only, so on the \
                  offline-only group orders-history it is a ValidationError (opened).",
        quote_zh: "線上儲存用於低延遲的即時推論使用案例,而離線儲存則用於訓練和批次推論使用案例。",
        explain_zh: "一次 PutRecord(呼叫 3)會寫入線上儲存,並在離線儲存中寫入一個 S3 物件(於呼叫 5–6 讀回);GetRecord 只讀取線上儲存,因此對只有離線儲存的特徵群組 orders-history 會得到 ValidationError(開啟此呼叫)。",
        file: "seed-claims.json",
        call: 7,
        op: "sagemaker:GetRecord",
        outcome: "ValidationError",
    },
    Step {
        slug: "default-keys",
        quote: "By default, it uses an AWS owned customer managed key for OnlineStore and AWS \
                managed customer managed key for OfflineStore.",
        explain: "The group clicks names no key: its online store makes no KMS request in your \
                  account (calls 11–15, even runtime-reader without KMS permissions reads it), and \
                  its offline store uses the AWS managed key aws/s3 (opened: KeyManager AWS).",
        quote_zh: "根據預設,它使用 AWS OnlineStore 的擁有客戶受管金鑰,以及 OfflineStore 的 AWS 受管客戶受管金鑰。",
        explain_zh: "特徵群組 clicks 未指定任何金鑰:其線上儲存不會在您的帳戶中產生任何 KMS 請求(呼叫 11–15,連沒有 KMS 許可的 runtime-reader 也能讀取),其離線儲存則使用 AWS 受管金鑰 aws/s3(開啟此呼叫:KeyManager AWS)。",
        file: "seed-claims.json",
        call: 16,
        op: "kms:DescribeKey",
        outcome: "ok",
    },
    Step {
        slug: "symmetric",
        quote: "Feature Store supports only symmetric customer managed keys.",
        explain: "CreateFeatureGroup with an RSA_2048 key is a ValidationException (opened).",
        quote_zh: "特徵商店僅支援對稱客戶受管金鑰。",
        explain_zh: "以 RSA_2048 金鑰呼叫 CreateFeatureGroup 會得到 ValidationException(開啟此呼叫)。",
        file: "seed-claims.json",
        call: 9,
        op: "sagemaker:CreateFeatureGroup",
        outcome: "ValidationException",
    },
    Step {
        slug: "via-service",
        quote: "The kms:ViaService condition key allows the permissions only when the request \
                comes from FeatureStore on behalf of the principals listed in the policy \
                statement. These principals can't call these operations directly.",
        explain: "The example key policy allows featurestore-user kms:Decrypt only with \
                  kms:ViaService sagemaker.*.amazonaws.com: its direct kms:Decrypt is \
                  AccessDeniedException (opened); the same Decrypt via sagemaker (call 7) works.",
        quote_zh: "kms:ViaService 條件金鑰只會在請求來自特徵商店,且其是代替政策陳述式中列出的主體時,才會允許許可。這些委託人無法直接呼叫這些操作。",
        explain_zh: "範例金鑰政策只在 kms:ViaService 為 sagemaker.*.amazonaws.com 時才允許 featurestore-user 執行 kms:Decrypt:它直接呼叫的 kms:Decrypt 得到 AccessDeniedException(開啟此呼叫);透過 sagemaker 的同一個 Decrypt(呼叫 7)則成功。",
        file: "seed.json",
        call: 5,
        op: "kms:Decrypt",
        outcome: "AccessDeniedException",
    },
    Step {
        slug: "same-key",
        quote: "If you add this special condition to your customer managed key, and use the same \
                AWS KMS key for both the online and offline store, then it will fail the \
                CreateFeatureGroup API operation.",
        explain: "The offline store's role asks for kms:GenerateDataKey through S3, which the \
                  sagemaker.* condition refuses, so CreateFeatureGroup fails (opened); with a \
                  second key for the offline store it succeeds (call 5).",
        quote_zh: "如果您將此特殊條件新增至客戶受管金鑰,並對線上和離線存放區使用相同的 AWS KMS 金鑰,則 API CreateFeatureGroup操作將會失敗。",
        explain_zh: "離線儲存的角色透過 S3 請求 kms:GenerateDataKey,被 sagemaker.* 條件拒絕,因此 CreateFeatureGroup 失敗(開啟此呼叫);離線儲存改用第二把金鑰時則成功(呼叫 5)。",
        file: "shared-key-viaservice.json",
        call: 0,
        op: "sagemaker:CreateFeatureGroup",
        outcome: "ValidationException",
    },
    Step {
        slug: "admin",
        quote: "Gives the customer managed key administrators read-only access to the customer \
                managed key and permission to revoke grants, including the grants that Feature \
                Store uses to protect your data.",
        explain: "The featurestore-admin session may DescribeKey, GetKeyPolicy and ListGrants \
                  (calls 20–22) and RevokeGrant (call 29), but not Encrypt, Decrypt or DisableKey \
                  (opened): AccessDeniedException.",
        quote_zh: "給予客戶受管金鑰管理員對客戶受管金鑰的唯讀存取許可以及撤銷授予的許可,包括特徵商店用來保護您資料的授予。",
        explain_zh: "featurestore-admin 工作階段可以執行 DescribeKey、GetKeyPolicy 和 ListGrants(呼叫 20–22)以及 RevokeGrant(呼叫 29),但不能執行 Encrypt、Decrypt 或 DisableKey(開啟此呼叫):AccessDeniedException。",
        file: "seed-claims.json",
        call: 24,
        op: "kms:DisableKey",
        outcome: "AccessDeniedException",
    },
    Step {
        slug: "grant-per-store",
        quote: "Each grant is specific to an online store.",
        explain: "With two online stores on the same key, ListGrants (opened) shows two grants to \
                  sagemaker.us-east-1.amazonaws.com, one per feature group.",
        quote_zh: "每項授予都是特定於一個線上儲存。",
        explain_zh: "兩個線上儲存使用同一把金鑰時,ListGrants(開啟此呼叫)會列出兩項給 sagemaker.us-east-1.amazonaws.com 的授予,每個特徵群組一項。",
        file: "seed-claims.json",
        call: 38,
        op: "kms:ListGrants",
        outcome: "ok",
    },
    Step {
        slug: "revoke",
        quote: "However, if you revoke the grant on an active encrypted online store, Feature \
                Store won't be able to protect and maintain the store.",
        explain: "The administrator revokes Feature Store's grant (call 8); once the revocation \
                  has propagated, GetRecord on the store fails with AccessForbidden (opened).",
        quote_zh: "不過,如果您撤銷作用中加密線上儲存的授予,特徵商店將無法保護和維護該儲存。",
        explain_zh: "管理員撤銷特徵商店的授予(呼叫 8);撤銷生效後,對該儲存的 GetRecord 會以 AccessForbidden 失敗(開啟此呼叫)。",
        file: "seed.json",
        call: 8,
        op: "sagemaker:GetRecord",
        outcome: "AccessForbidden",
    },
    Step {
        slug: "data-plane",
        quote: "The caller (either user or role) to ALL DataPlane operations (Put, Get, \
                DeleteRecord) must have below permissions on the customer managed key:",
        explain: "runtime-reader may call sagemaker:GetRecord but has no kms:Decrypt: \
                  AccessForbidden (opened); runtime-reader-kms, with kms:Decrypt, reads the \
                  record (call 43).",
        quote_zh: "所有 DataPlane 操作 (Put、Get、DeleteRecord)呼叫方 (使用者或角色) 必須對客戶受管金鑰具有以下許可:",
        explain_zh: "runtime-reader 可以呼叫 sagemaker:GetRecord,但沒有 kms:Decrypt:得到 AccessForbidden(開啟此呼叫);具有 kms:Decrypt 的 runtime-reader-kms 則能讀取該記錄(呼叫 43)。",
        file: "seed-claims.json",
        call: 41,
        op: "sagemaker:GetRecord",
        outcome: "AccessForbidden",
    },
    Step {
        slug: "offline-role",
        quote: "The roleArn that is passed as a parameter to createFeatureGroup must have below \
                permissions to the OfflineStore KmsKeyId:",
        explain: "With a RoleArn that has no kms:GenerateDataKey, CreateFeatureGroup fails \
                  (opened) and no feature group exists (call 47).",
        quote_zh: "作為參數傳遞給 createFeatureGrouproleArn 必須對 OfflineStore KmsKeyId 具有以下許可:",
        explain_zh: "RoleArn 沒有 kms:GenerateDataKey 時,CreateFeatureGroup 會失敗(開啟此呼叫),也不會有任何特徵群組(呼叫 47)。",
        file: "seed-claims.json",
        call: 45,
        op: "sagemaker:CreateFeatureGroup",
        outcome: "ValidationException",
    },
    Step {
        slug: "bucket-keys",
        quote: "By defining your bucket-level key for SSE, you can reduce AWS KMS requests costs \
                by up to 99 percent.",
        explain: "Ten PutRecords into an offline store without an S3 Bucket Key make 10 \
                  GenerateDataKey requests (call 59); the same ten with a Bucket Key make 1 \
                  (opened: KMS requests 1).",
        quote_zh: "透過定義 SSE 的儲存貯體層級金鑰,您可以降低高達 99% 的 AWS KMS 請求成本。",
        explain_zh: "對沒有 S3 儲存貯體金鑰的離線儲存執行十次 PutRecord,會產生 10 個 GenerateDataKey 請求(呼叫 59);有儲存貯體金鑰時,同樣的十次只產生 1 個(開啟此呼叫:KMS 請求 1)。",
        file: "seed-claims.json",
        call: 59,
        op: "sagemaker:PutRecord",
        outcome: "ok",
    },
];

impl Step {
    /// The page's sentence in `lang`'s edition of the page.
    pub fn quote_in(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.quote,
            Lang::ZhTw => self.quote_zh,
        }
    }

    /// What the run shows, in `lang`.
    pub fn explain_in(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.explain,
            Lang::ZhTw => self.explain_zh,
        }
    }
}

/// A Run of a tour step, for the Scenario tab: open example `example`, run it, open call `call`.
/// `serial` tells two presses of the same button apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request {
    pub serial: u32,
    pub example: usize,
    pub call: usize,
}

/// The latest tour request, provided by the app to the Scenario tab as a context.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pending(pub Option<Request>);

/// The index of an example.
pub fn example_index(file: &str) -> Option<usize> {
    crate::examples::index_of(file)
}

/// Carries out the tour's requests in the Scenario tab (which calls this hook).
#[hook]
pub fn use_tour_requests(dispatch: &UseReducerDispatcher<ScenarioState>) {
    let request = use_context::<Pending>().and_then(|p| p.0);
    let dispatch = dispatch.clone();
    use_effect_with(request, move |request| {
        if let Some(r) = *request {
            let then = {
                let dispatch = dispatch.clone();
                move || {
                    dispatch.dispatch(ScenarioMsg::View(View::Calls));
                    dispatch.dispatch(ScenarioMsg::ToggleCall(r.call));
                    scroll_to_call(r.call);
                }
            };
            crate::examples::open(&dispatch, r.example, then);
        }
    });
}

#[derive(Properties, PartialEq)]
pub struct TourProps {
    /// Run a step: `(example index, call index)`.
    pub on_run: Callback<(usize, usize)>,
}

/// The Tour tab.
#[function_component(Tour)]
pub fn tour(props: &TourProps) -> Html {
    let lang = crate::i18n::use_lang();
    html! {
        <>
            <p class="tab-intro muted">
                { tr("The claims of the AWS page \u{201c}Security and access control\u{201d} (Amazon \
                      SageMaker Feature Store), in the page's order. Run opens the example scenario \
                      that shows the claim in the Scenario tab, runs it in your browser and opens \
                      the call with the outcome: its result, every authorization's trace and its \
                      CloudTrail events.") }
                if lang != Lang::En {
                    { " " }{ tr("The claims are quoted from this language's edition of the page, which AWS \
                          machine-translated (where they differ, the English edition prevails); the \
                          English sentence follows each.") }
                }
            </p>
            <ol id="tour-steps" class="tour">
                { for STEPS.iter().map(|step| {
                    let example = example_index(step.file);
                    let onclick = {
                        let on_run = props.on_run.clone();
                        let call = step.call;
                        Callback::from(move |_: MouseEvent| {
                            if let Some(example) = example {
                                on_run.emit((example, call));
                            }
                        })
                    };
                    html! {
                        <li class="tour-step" data-step={step.slug}>
                            <blockquote class="claim" lang={lang.tag()}>
                                { trf("\u{201c}{quote}\u{201d}", &[("quote", &step.quote_in(lang))]) }
                            </blockquote>
                            if lang != Lang::En {
                                <p class="claim-original" lang="en">
                                    { format!("\u{201c}{}\u{201d}", step.quote) }
                                </p>
                            }
                            <p class="explain">{ step.explain_in(lang) }</p>
                            <p class="tour-run-row">
                                <button type="button" class="primary tour-run"
                                    id={format!("tour-run-{}", step.slug)} disabled={example.is_none()}
                                    {onclick}>
                                    { tr("Run") }
                                </button>
                                <span class="hint">
                                    { trf(" {file} · opens call {n}: {op} → {outcome}",
                                          &[("file", &step.file), ("n", &(step.call + 1)),
                                            ("op", &step.op), ("outcome", &step.outcome)]) }
                                </span>
                            </p>
                        </li>
                    }
                }) }
            </ol>
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::run_scenario;
    use crate::str_at;
    use serde_json::Value;

    /// Each step's call still has the operation and outcome the step describes.
    #[test]
    fn every_step_opens_the_call_it_describes() {
        for step in STEPS {
            let example = example_index(step.file);
            assert!(example.is_some(), "{}: no example {}", step.slug, step.file);
            let text = crate::examples::text(example.unwrap_or_default()).unwrap_or_default();
            let result = run_scenario(text).unwrap_or_default();
            let call = result
                .pointer(&format!("/calls/{}", step.call))
                .cloned()
                .unwrap_or_default();
            assert_eq!(str_at(&call, "op"), Some(step.op), "{}", step.slug);
            let outcome = call
                .get("error")
                .and_then(|e| str_at(e, "code"))
                .unwrap_or("ok");
            assert_eq!(outcome, step.outcome, "{}: {call}", step.slug);
            if step.slug == "revoke" {
                let message = call.pointer("/error/message").map(Value::to_string);
                assert!(message.unwrap_or_default().contains("revoked or retired"));
            }
            if step.slug == "bucket-keys" {
                let requests = |i: usize| {
                    result
                        .pointer(&format!("/calls/{i}/kmsRequests"))
                        .and_then(Value::as_u64)
                };
                assert_eq!(requests(step.call), Some(1));
                assert_eq!(requests(step.call - 1), Some(10));
            }
        }
    }

    /// The quotes are the page's sentences, in the page's order (when the page is at hand).
    #[test]
    fn quotes_are_verbatim_and_in_order() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/reference/seed-feature-store-security.en.txt"
        );
        let Ok(page) = std::fs::read_to_string(path) else {
            return;
        };
        let mut last = 0;
        for step in STEPS {
            let at = page.find(step.quote);
            assert!(at.is_some(), "{}: not on the page", step.slug);
            let at = at.unwrap_or_default();
            assert!(at >= last, "{}: out of order", step.slug);
            last = at;
        }
    }

    /// In Traditional Chinese the quotes are the zh-TW edition's sentences, verbatim and in order
    /// (when the page is at hand).
    #[test]
    fn zh_tw_quotes_are_verbatim_and_in_order() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/reference/seed-feature-store-security.zh-TW.txt"
        );
        let Ok(page) = std::fs::read_to_string(path) else {
            return;
        };
        let mut last = 0;
        for step in STEPS {
            assert!(!step.quote_zh.is_empty(), "{}: no zh-TW quote", step.slug);
            let at = page.find(step.quote_zh);
            assert!(at.is_some(), "{}: not on the zh-TW page", step.slug);
            let at = at.unwrap_or_default();
            assert!(at >= last, "{}: out of order", step.slug);
            last = at;
        }
    }

    /// The zh-TW explanations name the same calls (every number) and the same outcome.
    #[test]
    fn zh_tw_explanations_keep_the_numbers_and_the_outcome() {
        let numbers = |text: &str| {
            let mut v: Vec<String> = text
                .split(|c: char| !c.is_ascii_digit())
                .filter(|n| !n.is_empty())
                .map(str::to_owned)
                .collect();
            v.sort();
            v
        };
        for step in STEPS {
            assert_eq!(
                numbers(step.explain),
                numbers(step.explain_zh),
                "{}",
                step.slug
            );
            if step.explain.contains(step.outcome) {
                assert!(step.explain_zh.contains(step.outcome), "{}", step.slug);
            }
            assert_eq!(step.quote_in(Lang::En), step.quote);
            assert_eq!(step.explain_in(Lang::ZhTw), step.explain_zh);
        }
    }
}
