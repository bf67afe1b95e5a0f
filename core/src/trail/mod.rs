//! CloudTrail-style event log (in progress).
