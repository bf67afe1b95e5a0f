//! KMS errors, with AWS's error codes and message formats (BOTO-KMS, KMS-DG/key-state.md).

use alloc::string::String;
use core::fmt;

use crate::evaluation::Answer;

/// A KMS API error: the AWS error code and its message. Access denials carry the decision that explains them.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum KmsError {
    /// `AccessDeniedException` (HTTP 400): the policy engine's answer says why.
    AccessDenied {
        message: String,
        answer: alloc::boxed::Box<Answer>,
    },
    /// `NotFoundException`: no such key, alias or grant.
    NotFound(String),
    /// `DisabledException`: `<key ARN> is disabled.`
    Disabled(String),
    /// `KMSInvalidStateException`: the key state does not allow the operation.
    InvalidState(String),
    /// `InvalidCiphertextException`: AWS returns an empty message.
    InvalidCiphertext,
    /// `IncorrectKeyException`
    IncorrectKey,
    /// `InvalidKeyUsageException`
    InvalidKeyUsage(String),
    /// `InvalidGrantTokenException`
    InvalidGrantToken,
    /// `InvalidGrantIdException`
    InvalidGrantId(String),
    /// `InvalidArnException`
    InvalidArn(String),
    /// `MalformedPolicyDocumentException`
    MalformedPolicyDocument(String),
    /// `LimitExceededException`
    LimitExceeded(String),
    /// `AlreadyExistsException`
    AlreadyExists(String),
    /// `ValidationException`: a parameter constraint failed.
    Validation(String),
    /// `UnsupportedOperationException`
    UnsupportedOperation(String),
    /// `ThrottlingException`
    Throttling,
    /// `DryRunOperationException`
    DryRunOperation,
    /// `KMSInternalException`: the simulator could not complete the request (e.g. no entropy).
    Internal(String),
}

impl KmsError {
    /// The AWS error code (`__type`).
    pub fn code(&self) -> &'static str {
        match self {
            KmsError::AccessDenied { .. } => "AccessDeniedException",
            KmsError::NotFound(_) => "NotFoundException",
            KmsError::Disabled(_) => "DisabledException",
            KmsError::InvalidState(_) => "KMSInvalidStateException",
            KmsError::InvalidCiphertext => "InvalidCiphertextException",
            KmsError::IncorrectKey => "IncorrectKeyException",
            KmsError::InvalidKeyUsage(_) => "InvalidKeyUsageException",
            KmsError::InvalidGrantToken => "InvalidGrantTokenException",
            KmsError::InvalidGrantId(_) => "InvalidGrantIdException",
            KmsError::InvalidArn(_) => "InvalidArnException",
            KmsError::MalformedPolicyDocument(_) => "MalformedPolicyDocumentException",
            KmsError::LimitExceeded(_) => "LimitExceededException",
            KmsError::AlreadyExists(_) => "AlreadyExistsException",
            KmsError::Validation(_) => "ValidationException",
            KmsError::UnsupportedOperation(_) => "UnsupportedOperationException",
            KmsError::Throttling => "ThrottlingException",
            KmsError::DryRunOperation => "DryRunOperationException",
            KmsError::Internal(_) => "KMSInternalException",
        }
    }

    /// The message AWS returns.
    pub fn message(&self) -> String {
        match self {
            KmsError::AccessDenied { message, .. } => message.clone(),
            KmsError::NotFound(m)
            | KmsError::Disabled(m)
            | KmsError::InvalidState(m)
            | KmsError::InvalidKeyUsage(m)
            | KmsError::InvalidGrantId(m)
            | KmsError::InvalidArn(m)
            | KmsError::MalformedPolicyDocument(m)
            | KmsError::LimitExceeded(m)
            | KmsError::AlreadyExists(m)
            | KmsError::Validation(m)
            | KmsError::UnsupportedOperation(m)
            | KmsError::Internal(m) => m.clone(),
            KmsError::InvalidCiphertext => String::new(),
            KmsError::IncorrectKey => {
                String::from("The key ID in the request does not identify a CMK that can perform this operation.")
            }
            KmsError::InvalidGrantToken => String::from("The grant token is not valid."),
            KmsError::Throttling => String::from(
                "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.",
            ),
            KmsError::DryRunOperation => {
                String::from("The request would have succeeded, but the DryRun option is set.")
            }
        }
    }

    /// The decision behind an access denial, if this is one.
    pub fn answer(&self) -> Option<&Answer> {
        match self {
            KmsError::AccessDenied { answer, .. } => Some(answer),
            _ => None,
        }
    }
}

impl fmt::Display for KmsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = self.message();
        if m.is_empty() {
            f.write_str(self.code())
        } else {
            write!(f, "{}: {}", self.code(), m)
        }
    }
}
