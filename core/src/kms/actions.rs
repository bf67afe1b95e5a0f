//! What KMS documents about its permissions (KMS-DG/kms-api-permissions-reference.md, key-policy-default.md).

/// Operations whose permission is valid only in IAM policies: in a key policy it has no effect.
/// `kms:RetireGrant` is "not effective in a key policy" (KMS-DG/grant-manage.md).
pub fn is_iam_only(action_lower: &str) -> bool {
    matches!(
        action_lower,
        "kms:createkey"
            | "kms:listaliases"
            | "kms:listkeys"
            | "kms:generaterandom"
            | "kms:createcustomkeystore"
            | "kms:describecustomkeystores"
            | "kms:retiregrant"
    )
}

/// Operations a principal in another account can perform on a KMS key ("Cross-account use: Yes").
pub fn is_cross_account(action_lower: &str) -> bool {
    matches!(
        action_lower,
        "kms:decrypt"
            | "kms:encrypt"
            | "kms:generatedatakey"
            | "kms:generatedatakeywithoutplaintext"
            | "kms:generatedatakeypair"
            | "kms:generatedatakeypairwithoutplaintext"
            | "kms:generatemac"
            | "kms:verifymac"
            | "kms:reencryptfrom"
            | "kms:reencryptto"
            | "kms:sign"
            | "kms:verify"
            | "kms:getpublickey"
            | "kms:describekey"
            | "kms:derivesharedsecret"
            | "kms:creategrant"
            | "kms:listgrants"
            | "kms:retiregrant"
            | "kms:revokegrant"
    )
}
