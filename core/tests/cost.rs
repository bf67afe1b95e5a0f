//! Request metering, quotas and cost (aws-semantics.md §3.7, §4.6; the module docs list the assumptions).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use kmslab_core::cost::{
    bucket_key_savings, canonical_operation, format_usd, key_charge, s3_kms_requests,
    symmetric_request_quota, KeyCost, Meter, Metered, Quota, QuotaBucket, S3ObjectRequest,
    Throttled,
};
use kmslab_core::kms::{KeyManager, KeySpec, KmsError};

/// 2024-05-01T00:00:00Z.
const BASE: i64 = 1_714_521_600_000;
const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;
const A: &str = "111122223333";
const B: &str = "444455556666";
const CMK: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const CMK_B: &str = "arn:aws:kms:us-east-1:444455556666:key/0987dcba-09fe-87dc-65ba-ab0987654321";
const MANAGED: &str = "arn:aws:kms:us-east-1:111122223333:key/aaaaaaaa-1111-2222-3333-bbbbbbbbbbbb";
const OWNED: &str = "arn:aws:kms:us-east-1:999999999999:key/owned";

fn decrypt(t: i64, payer: &'static str, key: &'static str) -> Metered<'static> {
    Metered::new(t, payer, "Decrypt").on_key(key, KeyManager::Customer, KeySpec::SymmetricDefault)
}

#[test]
fn free_tier_then_three_cents_per_ten_thousand() {
    let mut m = Meter::new("us-east-1");
    for i in 0..20_000 {
        m.admit(&decrypt(BASE + i, A, CMK)).unwrap();
    }
    let r = m.report(&[], BASE + DAY);
    assert_eq!(r.request_micros, 0);
    assert_eq!(r.months.len(), 1);
    assert_eq!(r.months[0].month, "2024-05");
    assert_eq!(r.months[0].free_requests, 20_000);
    assert_eq!(r.months[0].charged_requests, 0);
    assert_eq!(r.total, "$0.00");

    for i in 20_000..30_000 {
        m.admit(&decrypt(BASE + i, A, CMK)).unwrap();
    }
    // The 20,001st request is the first one charged: 3 µ$.
    let r = m.report(&[], BASE + 20_000);
    assert_eq!(r.request_micros, 3);
    assert_eq!(r.accounts[0].charged_requests, 1);
    // 10,000 requests beyond the free tier: $0.03.
    let r = m.report(&[], BASE + DAY);
    assert_eq!(r.request_micros, 30_000);
    assert_eq!(r.total, "$0.03");
    assert_eq!(r.accounts[0].account, A);
    assert_eq!(r.accounts[0].requests, 30_000);
    assert_eq!(r.accounts[0].free_requests, 20_000);
    assert_eq!(r.accounts[0].charged_requests, 10_000);
    assert_eq!(r.operations.len(), 1);
    assert_eq!(r.operations[0].operation, "Decrypt");
    assert_eq!(r.operations[0].bucket, Some(QuotaBucket::Symmetric));
    assert_eq!(r.operations[0].micros, 30_000);
    assert!(r.price_source.contains("third-party"));

    // A new calendar month has a new free tier: 2024-06-01 is 31 days later.
    m.admit(&decrypt(BASE + 31 * DAY, A, CMK)).unwrap();
    let r = m.report(&[], BASE + 32 * DAY);
    assert_eq!(r.months.len(), 2);
    assert_eq!(r.months[1].month, "2024-06");
    assert_eq!(r.months[1].free_requests, 1);
    assert_eq!(r.request_micros, 30_000);
}

#[test]
fn free_tier_is_per_account() {
    let mut m = Meter::new("us-east-1");
    for i in 0..20_000 {
        m.admit(&decrypt(BASE + i, A, CMK)).unwrap();
        m.admit(&decrypt(BASE + i, B, CMK)).unwrap();
    }
    assert_eq!(m.report(&[], BASE + DAY).request_micros, 0);
}

#[test]
fn customer_managed_key_is_prorated_hourly() {
    let key = |created: i64, deleted: Option<i64>, rotations: &'static [i64]| KeyCost {
        key_arn: CMK,
        manager: KeyManager::Customer,
        created_ms: created,
        deleted_or_pending_deletion_ms: deleted,
        rotations_ms: rotations,
    };
    // 15 days = 360 hours of a 730-hour month: 360/730 dollars.
    let c = key_charge(&key(BASE, None, &[]), BASE + 15 * DAY);
    assert_eq!(c.key_hours, 360);
    assert_eq!(c.micros, 493_151);
    assert_eq!(c.display, "$0.493151");
    assert_eq!(c.owner_account, A);
    // A whole month is $1.
    assert_eq!(
        key_charge(&key(BASE, None, &[]), BASE + 730 * HOUR).display,
        "$1.00"
    );
    // A started hour is charged.
    let c = key_charge(&key(BASE, None, &[]), BASE + 1);
    assert_eq!((c.key_hours, c.micros), (1, 1_370));
    // Before creation: nothing.
    assert_eq!(key_charge(&key(BASE, None, &[]), BASE - 1).micros, 0);
    // Scheduled for deletion on day 10: no charge from then.
    let c = key_charge(&key(BASE, Some(BASE + 10 * DAY), &[]), BASE + 15 * DAY);
    assert_eq!(c.key_hours, 240);
    assert_eq!(c.micros, 328_767);
    assert!(c.note.is_some());
    // A rotation on day 5 adds $1/month from then: 360 + 240 hours.
    static ROT: [i64; 1] = [BASE + 5 * DAY];
    let c = key_charge(&key(BASE, None, &ROT), BASE + 15 * DAY);
    assert_eq!((c.key_hours, c.rotation_hours), (360, 240));
    assert_eq!(c.micros, 821_918);

    // In a report, the key's owner pays for it.
    let m = Meter::new("us-east-1");
    let r = m.report(&[key(BASE, None, &[])], BASE + 15 * DAY);
    assert_eq!(r.key_micros, 493_151);
    assert_eq!(r.total_micros, 493_151);
    assert_eq!(r.accounts.len(), 1);
    assert_eq!(r.accounts[0].account, A);
    assert_eq!(r.accounts[0].key_micros, 493_151);
}

#[test]
fn aws_managed_key_is_free_but_its_requests_are_charged() {
    let mut m = Meter::new("us-east-1");
    for i in 0..20_010 {
        let r = Metered::new(BASE + i, A, "kms:GenerateDataKey")
            .on_key(MANAGED, KeyManager::Aws, KeySpec::SymmetricDefault)
            .via("s3");
        m.admit(&r).unwrap();
    }
    let keys = [KeyCost {
        key_arn: MANAGED,
        manager: KeyManager::Aws,
        created_ms: BASE - 400 * DAY,
        deleted_or_pending_deletion_ms: None,
        rotations_ms: &[BASE - 35 * DAY],
    }];
    let r = m.report(&keys, BASE + DAY);
    assert_eq!(r.keys[0].micros, 0);
    assert_eq!(r.keys[0].requests, 20_010);
    assert!(r.keys[0].note.unwrap().contains("aws managed"));
    assert_eq!(r.request_micros, 30);
    assert_eq!(r.total, "$0.00003");
    let op = &r.operations[0];
    assert_eq!(op.operation, "GenerateDataKey");
    assert_eq!((op.requests, op.on_behalf), (20_010, 20_010));
}

#[test]
fn aws_owned_keys_are_free_and_never_counted_or_throttled() {
    let mut m = Meter::new("eu-central-1");
    m.set_quota_divisor(u32::MAX); // every quota is 1 per window
    for _ in 0..1_000 {
        let r = Metered::new(BASE, A, "Decrypt")
            .on_key(OWNED, KeyManager::AwsOwned, KeySpec::SymmetricDefault)
            .via("sagemaker");
        assert_eq!(r.bucket(), None);
        m.admit(&r).unwrap();
    }
    // The account's own quota is untouched.
    m.admit(&decrypt(BASE, A, CMK)).unwrap();
    assert!(m.admit(&decrypt(BASE, A, CMK)).is_err());

    let keys = [KeyCost {
        key_arn: OWNED,
        manager: KeyManager::AwsOwned,
        created_ms: BASE - DAY,
        deleted_or_pending_deletion_ms: None,
        rotations_ms: &[],
    }];
    let r = m.report(&keys, BASE + 1);
    assert_eq!(r.keys[0].micros, 0);
    assert_eq!(r.keys[0].requests, 0);
    let owned = r.operations.iter().find(|o| o.bucket.is_none()).unwrap();
    assert_eq!(
        (owned.aws_owned, owned.requests, owned.micros),
        (1_000, 0, 0)
    );
    assert_eq!(r.accounts[0].requests, 1);
    assert_eq!(r.quotas.len(), 1);
    assert_eq!(r.quotas[0].admitted, 1);
    assert_eq!(r.quotas[0].throttled, 1);
}

#[test]
fn regions_get_the_documented_symmetric_quota() {
    assert_eq!(symmetric_request_quota("us-east-1"), 50_000);
    assert_eq!(symmetric_request_quota("eu-west-2"), 10_000);
    assert_eq!(symmetric_request_quota("ap-southeast-1"), 10_000);
    assert_eq!(symmetric_request_quota("eu-central-1"), 5_500);
    assert_eq!(
        Meter::new("us-west-2").quota(&QuotaBucket::Symmetric),
        Quota::per_second(5_500)
    );
    let m = Meter::new("us-east-1");
    let op = |name: &str| m.quota(&QuotaBucket::Operation(name.into())).limit;
    assert_eq!(op("CreateGrant"), 50);
    assert_eq!(op("DescribeKey"), 2000);
    assert_eq!(op("ListAliases"), 500);
    assert_eq!(op("ListGrants"), 100);
    assert_eq!(op("RetireGrant"), 30);
    assert_eq!(op("RevokeGrant"), 30);
    assert_eq!(op("CreateKey"), 5);
    assert_eq!(op("DisableKey"), 5);
    assert_eq!(op("EnableKey"), 5);
    assert_eq!(op("ScheduleKeyDeletion"), 15);
    assert_eq!(op("PutKeyPolicy"), 15);
    assert_eq!(op("GetKeyPolicy"), 1000);
    assert_eq!(op("RotateKeyOnDemand"), 5); // not in the table: the default
    assert_eq!(m.quota(&QuotaBucket::Rsa).limit, 500);
    assert_eq!(m.quota(&QuotaBucket::Ecc).limit, 300);
}

#[test]
fn operations_map_to_their_quota_bucket() {
    assert_eq!(canonical_operation("kms:decrypt"), "Decrypt");
    assert_eq!(canonical_operation("ReEncryptFrom"), "ReEncrypt");
    assert_eq!(canonical_operation("kms:SomethingNew"), "SomethingNew");
    let b = |op: &str, spec: Option<KeySpec>| QuotaBucket::of(op, spec, None);
    assert_eq!(
        b("Encrypt", Some(KeySpec::SymmetricDefault)),
        QuotaBucket::Symmetric
    );
    assert_eq!(
        b("GenerateMac", Some(KeySpec::Hmac256)),
        QuotaBucket::Symmetric
    );
    assert_eq!(b("GenerateRandom", None), QuotaBucket::Symmetric);
    assert_eq!(b("Sign", Some(KeySpec::Rsa2048)), QuotaBucket::Rsa);
    assert_eq!(b("Verify", Some(KeySpec::EccNistP256)), QuotaBucket::Ecc);
    assert_eq!(b("Decrypt", Some(KeySpec::Sm2)), QuotaBucket::Sm);
    assert_eq!(
        b("DescribeKey", Some(KeySpec::SymmetricDefault)),
        QuotaBucket::Operation("DescribeKey".into())
    );
    assert_eq!(
        QuotaBucket::of(
            "GenerateDataKeyPair",
            Some(KeySpec::SymmetricDefault),
            Some(KeySpec::Rsa3072)
        ),
        QuotaBucket::DataKeyPair("RSA_3072")
    );
    assert_eq!(
        QuotaBucket::Symmetric.name(),
        "Cryptographic operations (symmetric) request rate"
    );
    assert_eq!(
        QuotaBucket::Operation("CreateKey".into()).to_string(),
        "CreateKey request rate"
    );
}

#[test]
fn throttled_at_the_quota_and_recovers_in_the_next_second() {
    let mut m = Meter::new("us-east-1");
    let create = |t: i64| Metered::new(t, A, "CreateKey");
    for i in 0..5 {
        m.admit(&create(BASE + i)).unwrap();
    }
    let err: Throttled = m.admit(&create(BASE + 500)).unwrap_err();
    assert_eq!(err.account, A);
    assert_eq!(err.bucket, QuotaBucket::Operation("CreateKey".into()));
    assert_eq!(err.quota, Quota::per_second(5));
    assert!(err
        .to_string()
        .starts_with("request rate exceeded for account"));
    let kms: KmsError = err.into();
    assert_eq!(kms.code(), "ThrottlingException");
    assert_eq!(
        kms.message(),
        "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls."
    );
    assert_eq!(kms.message(), Throttled::AWS_MESSAGE);

    // Quotas are independent: CreateAlias and the crypto quota are unaffected.
    m.admit(&Metered::new(BASE + 500, A, "CreateAlias"))
        .unwrap();
    m.admit(&decrypt(BASE + 500, A, CMK)).unwrap();

    // One second after the first request, it has left the window.
    m.admit(&create(BASE + 1_000)).unwrap();
    assert!(m.admit(&create(BASE + 1_000)).is_err());
    m.admit(&create(BASE + 1_001)).unwrap();
    // A full second later, the whole quota is back.
    for i in 0..5 {
        m.admit(&create(BASE + 2_100 + i)).unwrap();
    }

    let r = m.report(&[], BASE + DAY);
    let row = r
        .operations
        .iter()
        .find(|o| o.operation == "CreateKey")
        .unwrap();
    assert_eq!((row.requests, row.throttled), (12, 2));
    let q = r
        .quotas
        .iter()
        .find(|q| q.bucket == QuotaBucket::Operation("CreateKey".into()))
        .unwrap();
    assert_eq!((q.admitted, q.throttled, q.peak), (12, 2, 5));
    assert_eq!(q.quota.limit, 5);
    // Throttled requests are not charged (all 14 are within the free tier anyway) and not billable.
    assert_eq!(r.accounts[0].requests, 14);
}

#[test]
fn quota_divisor_shrinks_the_shared_crypto_quota() {
    let mut m = Meter::new("eu-central-1");
    m.set_quota_divisor(1_100); // 5,500 / 1,100 = 5 per second
    assert_eq!(m.quota(&QuotaBucket::Symmetric), Quota::per_second(5));
    for i in 0..3 {
        m.admit(&decrypt(BASE + i, A, CMK)).unwrap();
    }
    // Encrypt and GenerateDataKey share the quota with Decrypt.
    let enc = Metered::new(BASE + 10, A, "Encrypt").on_key(
        CMK,
        KeyManager::Customer,
        KeySpec::SymmetricDefault,
    );
    m.admit(&enc).unwrap();
    let gdk = Metered::new(BASE + 11, A, "GenerateDataKey").on_key(
        CMK,
        KeyManager::Customer,
        KeySpec::SymmetricDefault,
    );
    m.admit(&gdk).unwrap();
    let err = m.admit(&decrypt(BASE + 12, A, CMK)).unwrap_err();
    assert_eq!(err.bucket, QuotaBucket::Symmetric);
    // RSA keys have a quota of their own.
    let sign =
        Metered::new(BASE + 13, A, "Sign").on_key(CMK, KeyManager::Customer, KeySpec::Rsa2048);
    m.admit(&sign).unwrap();
    m.admit(&decrypt(BASE + 1_000, A, CMK)).unwrap();

    // An explicit quota wins over the divisor.
    m.set_quota(QuotaBucket::Symmetric, 100);
    assert_eq!(m.quota(&QuotaBucket::Symmetric).limit, 100);
    m.set_quota_divisor(0);
    assert_eq!(m.quota(&QuotaBucket::Rsa).limit, 500);
}

#[test]
fn sub_second_quotas_use_their_interval() {
    let mut m = Meter::new("us-east-1");
    let pair = |t: i64| {
        Metered::new(t, A, "GenerateDataKeyPair")
            .on_key(CMK, KeyManager::Customer, KeySpec::SymmetricDefault)
            .key_pair(KeySpec::Rsa3072)
    };
    m.admit(&pair(BASE)).unwrap();
    assert_eq!(
        m.admit(&pair(BASE + 1_500)).unwrap_err().quota,
        Quota {
            limit: 1,
            window_ms: 2_000
        }
    );
    m.admit(&pair(BASE + 2_000)).unwrap();
}

#[test]
fn cross_account_requests_are_throttled_and_charged_to_the_caller() {
    let mut m = Meter::new("us-east-1");
    m.set_quota_divisor(10_000); // 50,000 / 10,000 = 5 per second
    for i in 0..5 {
        m.admit(&decrypt(BASE + i, A, CMK_B)).unwrap();
    }
    // A is throttled on B's key ...
    let err = m.admit(&decrypt(BASE + 10, A, CMK_B)).unwrap_err();
    assert_eq!(err.account, A);
    // ... while B, the key's owner, still has its whole quota.
    for i in 0..5 {
        m.admit(&decrypt(BASE + 20 + i, B, CMK_B)).unwrap();
    }
    // Beyond A's free tier, the requests are A's to pay.
    m.set_quota_divisor(1);
    for i in 0..20_000 {
        m.admit(&decrypt(BASE + 2_000 + i, A, CMK_B)).unwrap();
    }
    let keys = [KeyCost {
        key_arn: CMK_B,
        manager: KeyManager::Customer,
        created_ms: BASE,
        deleted_or_pending_deletion_ms: None,
        rotations_ms: &[],
    }];
    let r = m.report(&keys, BASE + 730 * HOUR);
    let a = r.accounts.iter().find(|x| x.account == A).unwrap();
    let b = r.accounts.iter().find(|x| x.account == B).unwrap();
    assert_eq!(
        (a.requests, a.request_micros, a.key_micros),
        (20_005, 15, 0)
    );
    assert_eq!(
        (b.requests, b.request_micros, b.key_micros),
        (5, 0, 1_000_000)
    );
    assert_eq!(r.keys[0].requests, 20_010);
    assert_eq!(r.total_micros, 1_000_015);
    let qa = r.quotas.iter().find(|q| q.account == A).unwrap();
    assert_eq!(qa.throttled, 1);
}

#[test]
fn requests_over_time_buckets_by_account_and_key() {
    let mut m = Meter::new("us-east-1");
    for i in 0..20_000 {
        m.admit(&decrypt(BASE + i % 1_000, A, CMK)).unwrap();
    }
    for i in 0..5 {
        m.admit(&decrypt(BASE + 1_000 + i, A, CMK)).unwrap();
    }
    m.admit(&decrypt(BASE + 1_500, B, CMK_B)).unwrap();
    m.admit(&Metered::new(BASE + 5_250, A, "CreateKey"))
        .unwrap();
    let owned = Metered::new(BASE + 5_300, A, "GenerateDataKey").on_key(
        OWNED,
        KeyManager::AwsOwned,
        KeySpec::SymmetricDefault,
    );
    m.admit(&owned).unwrap();

    let chart = m.requests_over_time(1_000);
    assert_eq!(chart.len(), 3);
    assert_eq!((chart[0].start_ms, chart[0].end_ms), (BASE, BASE + 1_000));
    assert_eq!((chart[0].requests, chart[0].micros), (20_000, 0));
    // The 5 requests beyond A's free tier cost 15 µ$ in the second bucket; B's request is free.
    assert_eq!(chart[1].start_ms, BASE + 1_000);
    assert_eq!((chart[1].requests, chart[1].micros), (6, 15));
    assert_eq!(chart[1].rows.len(), 2);
    let row_a = chart[1].rows.iter().find(|r| r.account == A).unwrap();
    assert_eq!(row_a.key_arn.as_deref(), Some(CMK));
    assert_eq!((row_a.requests, row_a.micros), (5, 15));
    let row_b = chart[1].rows.iter().find(|r| r.account == B).unwrap();
    assert_eq!(row_b.key_arn.as_deref(), Some(CMK_B));
    assert_eq!((row_b.requests, row_b.micros), (1, 0));
    // A keyless CreateKey (charged, beyond the free tier) and a free AWS owned key request.
    assert_eq!(chart[2].start_ms, BASE + 5_000);
    let keyless = chart[2].rows.iter().find(|r| r.key_arn.is_none()).unwrap();
    assert_eq!((keyless.requests, keyless.micros), (1, 3));
    let free = chart[2]
        .rows
        .iter()
        .find(|r| r.key_arn.as_deref() == Some(OWNED))
        .unwrap();
    assert_eq!((free.requests, free.aws_owned, free.micros), (0, 1, 0));

    // The chart and the report agree on the money.
    let total: u64 = chart.iter().map(|b| b.micros).sum();
    assert_eq!(total, m.report(&[], BASE + DAY).request_micros);
    // One big bucket holds everything.
    assert_eq!(m.requests_over_time(DAY).len(), 1);
}

#[test]
fn requests_out_of_order_are_reported_in_time_order() {
    let mut m = Meter::new("us-east-1");
    m.admit(&decrypt(BASE + 5_000, A, CMK)).unwrap();
    m.admit(&decrypt(BASE, A, CMK)).unwrap();
    let chart = m.requests_over_time(1_000);
    assert_eq!(chart[0].start_ms, BASE);
    assert_eq!(chart[1].start_ms, BASE + 5_000);
    assert_eq!(m.report(&[], BASE + 1).accounts[0].requests, 1);
}

#[test]
fn bucket_key_saves_up_to_99_percent() {
    let s = bucket_key_savings(1_000_000, 10_000);
    assert_eq!(s.requests_saved, 990_000);
    assert_eq!(s.percent_bp, 9_900);
    assert_eq!(s.percent, "99.00%");
    assert_eq!(s.cost_saved_micros, 2_970_000);
    assert_eq!(s.cost_saved, "$2.97");
    let none = bucket_key_savings(0, 0);
    assert_eq!((none.requests_saved, none.percent_bp), (0, 0));
    let worse = bucket_key_savings(10, 20);
    assert_eq!((worse.requests_saved, worse.percent_bp), (0, 0));
    assert_eq!(bucket_key_savings(3, 1).percent, "66.66%");
}

#[test]
fn s3_bucket_key_makes_one_kms_call_per_requester_key_and_lifetime() {
    const SESSION_1: &str = "arn:aws:sts::111122223333:assumed-role/ingest/session-1";
    const SESSION_2: &str = "arn:aws:sts::111122223333:assumed-role/ingest/session-2";
    let mut uploads: Vec<S3ObjectRequest<'_>> = (0..1_000)
        .map(|i| S3ObjectRequest {
            now_ms: BASE + i * 60,
            requester: SESSION_1,
            kms_key_arn: CMK,
            upload: true,
        })
        .collect();
    assert_eq!(s3_kms_requests(&uploads, None), 1_000);
    assert_eq!(s3_kms_requests(&uploads, Some(5 * 60_000)), 1);
    // Another session of the same role is a different requester.
    uploads.push(S3ObjectRequest {
        now_ms: BASE + 100,
        requester: SESSION_2,
        kms_key_arn: CMK,
        upload: true,
    });
    // Objects under another KMS key never share the bucket-level key.
    uploads.push(S3ObjectRequest {
        now_ms: BASE + 200,
        requester: SESSION_1,
        kms_key_arn: CMK_B,
        upload: true,
    });
    assert_eq!(s3_kms_requests(&uploads, Some(5 * 60_000)), 3);
    // A short lifetime regenerates the bucket-level key: 1,000 uploads over 60 s, lifetime 10 s.
    assert_eq!(s3_kms_requests(&uploads[..1_000], Some(10_000)), 6);
    let with = s3_kms_requests(&uploads, Some(5 * 60_000));
    let without = s3_kms_requests(&uploads, None);
    assert_eq!(bucket_key_savings(without, with).percent, "99.70%");
}

#[test]
fn dollars_render_without_floating_point() {
    assert_eq!(format_usd(0), "$0.00");
    assert_eq!(format_usd(3), "$0.000003");
    assert_eq!(format_usd(30_000), "$0.03");
    assert_eq!(format_usd(1_500_000), "$1.50");
    assert_eq!(format_usd(12_345_678), "$12.345678");
}

#[test]
fn report_serialises_bucket_names() {
    let mut m = Meter::new("us-east-1");
    m.admit(&decrypt(BASE, A, CMK)).unwrap();
    let json = serde_json::to_value(m.report(&[], BASE)).unwrap();
    assert_eq!(
        json["operations"][0]["bucket"],
        "Cryptographic operations (symmetric) request rate"
    );
    assert_eq!(json["quotas"][0]["quota"]["limit"], 50_000);
    assert_eq!(json["total"], "$0.00");
}
