//! KMS request metering, quotas and cost (in progress).
