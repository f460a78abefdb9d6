import Foundation
import GRDB

/// Ties a store's identity hashes to one key: a new store records the key's fingerprint, a store made with
/// another key is refused, and a store written before keyed hashes (unkeyed SHA-256 digests, no
/// fingerprint) is upgraded in place, each digest replaced by its keyed hash, in one transaction.
public enum IdentityKeyCheck {
    /// What the check found.
    public enum Outcome: Sendable, Equatable {
        /// The store already had this key's fingerprint.
        case matched
        /// A store without identity hashes from before: the fingerprint was recorded.
        case recorded
        /// Identity hashes written before keyed hashes were re-keyed in place (how many rows).
        case upgraded(rows: Int)
    }

    public static func prepare(_ store: SQLiteStore, key: IdentityKey, columns: [IdentityHashColumn]) throws -> Outcome {
        let outcome = try check(store, key: key, columns: columns)
        if case .upgraded = outcome {
            // The old digests must not survive in freed pages or in the WAL: rewrite the file once.
            try store.queue.vacuum()
            try store.queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        }
        return outcome
    }

    private static func check(_ store: SQLiteStore, key: IdentityKey, columns: [IdentityHashColumn]) throws -> Outcome {
        try store.queue.write { db in
            if let stored = try Data.fetchOne(db, sql: "SELECT fingerprint FROM runtime_identity_key WHERE id = 1") {
                guard [UInt8](stored) == key.fingerprint else {
                    throw StoreError("store \(store.path) was written with another store.identity_key; start it with that key (a store's identity hashes cannot be moved to a new key)")
                }
                return .matched
            }
            var rows = 0
            let rekey = DatabaseFunction("welfare_identity_rekey", argumentCount: 1, pure: true) { values in
                guard let digest = Data.fromDatabaseValue(values[0]) else { return nil }
                return Data(key.rekey(unkeyedDigest: [UInt8](digest)))
            }
            db.add(function: rekey)
            defer { db.remove(function: rekey) }
            for column in columns {
                try db.execute(sql: "UPDATE \(column.table) SET \(column.column) = welfare_identity_rekey(\(column.column))")
                rows += db.changesCount
                if let index = column.digestIndex {
                    try LeveledIdIndex.refile(db, name: index, entries: """
                        SELECT welfare_digest_part(\(column.column), 0), welfare_digest_part(\(column.column), 1) FROM \(column.table)
                        """)
                }
            }
            try db.execute(sql: "INSERT INTO runtime_identity_key (id, fingerprint) VALUES (1, ?)", arguments: [Data(key.fingerprint)])
            return rows > 0 ? .upgraded(rows: rows) : .recorded
        }
    }
}
