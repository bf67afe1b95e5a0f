//! KMS keys: specs, usages, states, managers, and the metadata DescribeKey returns.

use alloc::string::String;
use alloc::vec::Vec;

use super::crypto::KeyMaterial;

macro_rules! aws_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "wasm-policy", derive(tsify::Tsify), tsify(missing_as_null, hashmap_as_object))]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }
        impl $name {
            /// The value as AWS spells it.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            /// Parses AWS's spelling.
            pub fn parse(s: &str) -> Option<$name> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

aws_enum!(
    /// `KeySpec` (BOTO-KMS CreateKey).
    KeySpec {
        SymmetricDefault = "SYMMETRIC_DEFAULT",
        Rsa2048 = "RSA_2048",
        Rsa3072 = "RSA_3072",
        Rsa4096 = "RSA_4096",
        EccNistP256 = "ECC_NIST_P256",
        EccNistP384 = "ECC_NIST_P384",
        EccNistP521 = "ECC_NIST_P521",
        EccSecgP256k1 = "ECC_SECG_P256K1",
        EccNistEdwards25519 = "ECC_NIST_EDWARDS25519",
        Hmac224 = "HMAC_224",
        Hmac256 = "HMAC_256",
        Hmac384 = "HMAC_384",
        Hmac512 = "HMAC_512",
        MlDsa44 = "ML_DSA_44",
        MlDsa65 = "ML_DSA_65",
        MlDsa87 = "ML_DSA_87",
        Sm2 = "SM2",
    }
);

aws_enum!(
    /// `KeyUsage`.
    KeyUsage {
        EncryptDecrypt = "ENCRYPT_DECRYPT",
        SignVerify = "SIGN_VERIFY",
        GenerateVerifyMac = "GENERATE_VERIFY_MAC",
        KeyAgreement = "KEY_AGREEMENT",
    }
);

aws_enum!(
    /// `KeyState` (KMS-DG/key-state.md).
    KeyState {
        Creating = "Creating",
        Enabled = "Enabled",
        Disabled = "Disabled",
        PendingDeletion = "PendingDeletion",
        PendingImport = "PendingImport",
        PendingReplicaDeletion = "PendingReplicaDeletion",
        Unavailable = "Unavailable",
        Updating = "Updating",
    }
);

aws_enum!(
    /// Who manages a key. AWS owned keys are not visible in any account (KMS-DG/concepts.md).
    KeyManager {
        Customer = "CUSTOMER",
        Aws = "AWS",
        AwsOwned = "AWS_OWNED",
    }
);

aws_enum!(
    /// `Origin`.
    Origin {
        AwsKms = "AWS_KMS",
        External = "EXTERNAL",
        AwsCloudHsm = "AWS_CLOUDHSM",
        ExternalKeyStore = "EXTERNAL_KEY_STORE",
    }
);

impl KeySpec {
    /// Only symmetric encryption keys can encrypt data keys and be used by integrated services.
    pub fn is_symmetric(self) -> bool {
        self == KeySpec::SymmetricDefault
    }

    pub fn is_hmac(self) -> bool {
        matches!(
            self,
            KeySpec::Hmac224 | KeySpec::Hmac256 | KeySpec::Hmac384 | KeySpec::Hmac512
        )
    }

    /// The usages CreateKey accepts for this spec.
    pub fn allows_usage(self, usage: KeyUsage) -> bool {
        match self {
            KeySpec::SymmetricDefault => usage == KeyUsage::EncryptDecrypt,
            KeySpec::Rsa2048 | KeySpec::Rsa3072 | KeySpec::Rsa4096 => {
                matches!(usage, KeyUsage::EncryptDecrypt | KeyUsage::SignVerify)
            }
            KeySpec::EccNistP256
            | KeySpec::EccNistP384
            | KeySpec::EccNistP521
            | KeySpec::EccSecgP256k1 => {
                matches!(usage, KeyUsage::SignVerify | KeyUsage::KeyAgreement)
            }
            KeySpec::EccNistEdwards25519
            | KeySpec::MlDsa44
            | KeySpec::MlDsa65
            | KeySpec::MlDsa87 => usage == KeyUsage::SignVerify,
            KeySpec::Sm2 => true,
            KeySpec::Hmac224 | KeySpec::Hmac256 | KeySpec::Hmac384 | KeySpec::Hmac512 => {
                usage == KeyUsage::GenerateVerifyMac
            }
        }
    }
}

/// A KMS key of the simulated region.
#[derive(Debug)]
pub struct Key {
    pub arn: String,
    pub id: String,
    pub account: String,
    pub region: String,
    pub description: String,
    pub spec: KeySpec,
    pub usage: KeyUsage,
    pub state: KeyState,
    pub manager: KeyManager,
    pub origin: Origin,
    /// The key policy text (every key has exactly one).
    pub policy: String,
    pub creation_ms: i64,
    pub deletion_ms: Option<i64>,
    pub pending_window_days: Option<u32>,
    pub rotation_enabled: bool,
    /// Key material versions, oldest first; the last encrypts. Only symmetric keys have material here.
    pub materials: Vec<KeyMaterial>,
}

/// `KeyMetadata` as DescribeKey and CreateKey return it.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyMetadata {
    #[serde(rename = "AWSAccountId")]
    pub aws_account_id: String,
    pub key_id: String,
    pub arn: String,
    /// Epoch seconds, as the AWS JSON protocol sends timestamps.
    pub creation_date: f64,
    pub enabled: bool,
    pub description: String,
    pub key_usage: KeyUsage,
    pub key_state: KeyState,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deletion_date: Option<f64>,
    pub origin: Origin,
    pub key_manager: KeyManager,
    pub key_spec: KeySpec,
    pub customer_master_key_spec: KeySpec,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub encryption_algorithms: Vec<&'static str>,
    pub multi_region: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending_deletion_window_in_days: Option<u32>,
}

impl Key {
    pub fn metadata(&self) -> KeyMetadata {
        let algorithms = match self.spec {
            KeySpec::SymmetricDefault => alloc::vec!["SYMMETRIC_DEFAULT"],
            KeySpec::Rsa2048 | KeySpec::Rsa3072 | KeySpec::Rsa4096
                if self.usage == KeyUsage::EncryptDecrypt =>
            {
                alloc::vec!["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]
            }
            _ => Vec::new(),
        };
        KeyMetadata {
            aws_account_id: self.account.clone(),
            key_id: self.id.clone(),
            arn: self.arn.clone(),
            creation_date: self.creation_ms as f64 / 1000.0,
            enabled: self.state == KeyState::Enabled,
            description: self.description.clone(),
            key_usage: self.usage,
            key_state: self.state,
            deletion_date: self.deletion_ms.map(|d| d as f64 / 1000.0),
            origin: self.origin,
            key_manager: if self.manager == KeyManager::AwsOwned {
                KeyManager::Aws
            } else {
                self.manager
            },
            key_spec: self.spec,
            customer_master_key_spec: self.spec,
            encryption_algorithms: algorithms,
            multi_region: false,
            pending_deletion_window_in_days: self.pending_window_days,
        }
    }
}
