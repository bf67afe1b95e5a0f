//! Storage behind one small trait, so the same service logic persists in memory natively and in IndexedDB
//! in the browser.
//!
//! The trait is synchronous over an in-memory view and *async-friendly* through its change log: every
//! mutation is also appended to a list of [`Mutation`]s, which an asynchronous host (IndexedDB) drains after
//! each call and commits in one transaction — so a page closed mid-batch leaves every committed call whole and
//! nothing half-written. At start-up the host hydrates the view with [`Storage::load`].

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

/// The tables kmslab persists.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub enum Table {
    /// Online-store records (ciphertext only), keyed `featureGroupArn\u{0}recordId`.
    OnlineStore,
    /// Offline-store objects (ciphertext only), keyed by S3 URI.
    OfflineStore,
    /// KMS key material, keyed by key ARN and version.
    KeyMaterial,
    /// The scenario document and service state snapshots.
    Scenario,
}

/// One change to persist: `value: None` deletes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mutation {
    pub table: Table,
    pub key: String,
    pub value: Option<Vec<u8>>,
}

/// What a storage backend does.
pub trait Storage {
    fn get(&self, table: Table, key: &str) -> Option<&[u8]>;
    fn put(&mut self, table: Table, key: &str, value: Vec<u8>);
    fn delete(&mut self, table: Table, key: &str);
    /// Keys and values whose key starts with `prefix`, in key order.
    fn scan(&self, table: Table, prefix: &str) -> Vec<(&str, &[u8])>;
    /// The mutations since the last drain, in order (for an asynchronous host to commit).
    fn drain_changes(&mut self) -> Vec<Mutation>;
    /// Loads persisted entries without recording them as changes.
    fn load(&mut self, table: Table, key: &str, value: Vec<u8>);
    /// Number of entries in a table.
    fn len(&self, table: Table) -> usize;
    fn is_empty(&self, table: Table) -> bool {
        self.len(table) == 0
    }
}

/// The in-memory backend (natively, and as the browser's view over IndexedDB).
#[derive(Clone, Debug, Default)]
pub struct MemoryStorage {
    tables: BTreeMap<Table, BTreeMap<String, Vec<u8>>>,
    changes: Vec<Mutation>,
}

impl MemoryStorage {
    pub fn new() -> MemoryStorage {
        MemoryStorage::default()
    }
}

impl Storage for MemoryStorage {
    fn get(&self, table: Table, key: &str) -> Option<&[u8]> {
        self.tables.get(&table)?.get(key).map(Vec::as_slice)
    }

    fn put(&mut self, table: Table, key: &str, value: Vec<u8>) {
        self.changes.push(Mutation {
            table,
            key: String::from(key),
            value: Some(value.clone()),
        });
        self.tables
            .entry(table)
            .or_default()
            .insert(String::from(key), value);
    }

    fn delete(&mut self, table: Table, key: &str) {
        if let Some(t) = self.tables.get_mut(&table) {
            if t.remove(key).is_some() {
                self.changes.push(Mutation {
                    table,
                    key: String::from(key),
                    value: None,
                });
            }
        }
    }

    fn scan(&self, table: Table, prefix: &str) -> Vec<(&str, &[u8])> {
        self.tables
            .get(&table)
            .map(|t| {
                t.range(String::from(prefix)..)
                    .take_while(|(k, _)| k.starts_with(prefix))
                    .map(|(k, v)| (k.as_str(), v.as_slice()))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn drain_changes(&mut self) -> Vec<Mutation> {
        core::mem::take(&mut self.changes)
    }

    fn load(&mut self, table: Table, key: &str, value: Vec<u8>) {
        self.tables
            .entry(table)
            .or_default()
            .insert(String::from(key), value);
    }

    fn len(&self, table: Table) -> usize {
        self.tables.get(&table).map_or(0, BTreeMap::len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_get_scan_delete_and_changes() {
        let mut s = MemoryStorage::new();
        s.put(Table::OnlineStore, "fg\u{0}1", alloc::vec![1]);
        s.put(Table::OnlineStore, "fg\u{0}2", alloc::vec![2]);
        s.put(Table::OnlineStore, "other\u{0}1", alloc::vec![3]);
        assert_eq!(s.get(Table::OnlineStore, "fg\u{0}2"), Some(&[2u8][..]));
        assert_eq!(s.scan(Table::OnlineStore, "fg\u{0}").len(), 2);
        s.delete(Table::OnlineStore, "fg\u{0}1");
        s.delete(Table::OnlineStore, "missing");
        let changes = s.drain_changes();
        assert_eq!(changes.len(), 4);
        assert_eq!(changes.last().map(|m| m.value.is_none()), Some(true));
        assert!(s.drain_changes().is_empty());
        // hydrating does not produce changes
        s.load(Table::KeyMaterial, "k", alloc::vec![9]);
        assert!(s.drain_changes().is_empty());
        assert_eq!(s.len(Table::KeyMaterial), 1);
    }
}
