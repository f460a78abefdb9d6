import Foundation
import GRDB

/// Finds rows by an id that upstream systems make at random (UUIDs), in a SQLite store far larger than its
/// page cache. A unique index of such ids writes about one page per new id once it outgrows the cache, since
/// each id lands on a page of its own. This index keeps a 64-bit key of each id (`key(of:)`) with its row's
/// number in three levels, `<name>_level0` to `_level2`: new keys go to level 0, which stays a few hundred
/// pages; each transaction that adds keys moves one slice of the key range from level 0 to level 1 and one
/// from level 1 to level 2 (`slices`), so a page of the larger levels takes many keys at once. Keys are not
/// unique: the caller confirms a candidate row by comparing the id it holds.
public final class LeveledIdIndex {
    /// How many slices of the key range level 0 and level 1 are swept in: a key spends about 16 transactions
    /// in level 0 and 256 in level 1.
    public static let slices: [UInt64] = [16, 256]

    private let database: Database
    private let name: String
    private let insertEntry: FastStatement
    private let liveRowsFrom: String?
    private var swept = false

    /// Opens the index `name` (its tables made by a migration) for one transaction on `db`. Rows numbered
    /// below what `liveRowsFrom` (a query of one integer) returns are gone: the sweeps drop their keys.
    public init(_ db: Database, name: String, liveRowsFrom: String? = nil) throws {
        database = db
        self.name = name
        self.liveRowsFrom = liveRowsFrom
        insertEntry = try FastStatement(db, sql: "INSERT OR IGNORE INTO \(name)_level0 (key, row_no) VALUES (?, ?)")
    }

    /// A subquery of the row numbers filed under the key bound to parameter `parameter`, for the caller's
    /// `WHERE <number> IN (...) AND <id column> = ?` statement.
    public static func rowNumbers(_ name: String, keyParameter parameter: Int) -> String {
        (0..<3).map { "SELECT row_no FROM \(name)_level\($0) WHERE key = ?\(parameter)" }.joined(separator: " UNION ALL ")
    }

    /// A query of one row that says whether the index holds the entry bound to parameters `key` and `row`:
    /// for an index used as a set of digests (`entry(ofDigest:)`), where there is no row to confirm.
    public static func containsEntry(_ name: String, keyParameter key: Int, rowParameter row: Int) -> String {
        "SELECT " + (0..<3).map { "EXISTS (SELECT 1 FROM \(name)_level\($0) WHERE key = ?\(key) AND row_no = ?\(row))" }.joined(separator: " OR ")
    }

    /// Files row `row` under `key`; the first time in a transaction, sweeps a slice of each level first.
    public func insert(key: Int64, row: Int64) throws {
        if !swept {
            swept = true
            try sweep()
        }
        try insertEntry.execute(.integer(key), .integer(row))
    }

    /// Removes the entry of row `row` under `key`, wherever it is.
    public func remove(key: Int64, row: Int64) throws {
        for level in 0..<3 {
            try FastStatement(database, sql: "DELETE FROM \(name)_level\(level) WHERE key = ? AND row_no = ?").execute(.integer(key), .integer(row))
        }
    }

    /// Moves the next slice of level 0 into level 1 and of level 1 into level 2, leaving out entries of rows
    /// that are gone; in level 2 they are dropped from the same slice.
    private func sweep() throws {
        let cursor = try FastStatement(database, sql: "SELECT level0_next, level1_next FROM \(name)_sweep WHERE id = 1")
        let next: [Int64] = try cursor.row { [$0.integer(0), $0.integer(1)] } ?? [0, 0]
        let current = zip(next, Self.slices).map { UInt64(max(0, $0)) % $1 }
        let floor = try liveRowsFrom.flatMap { try FastStatement(database, sql: $0).integer() } ?? Int64.min
        for level in 0..<2 {
            let (low, high) = Self.range(ofSlice: current[level], of: Self.slices[level])
            try FastStatement(database, sql: """
                INSERT OR IGNORE INTO \(name)_level\(level + 1) (key, row_no)
                SELECT key, row_no FROM \(name)_level\(level) WHERE key BETWEEN ? AND ? AND row_no >= ?
                """).execute(.integer(low), .integer(high), .integer(floor))
            try FastStatement(database, sql: "DELETE FROM \(name)_level\(level) WHERE key BETWEEN ? AND ?").execute(.integer(low), .integer(high))
            if level == 1 && floor > Int64.min {
                try FastStatement(database, sql: "DELETE FROM \(name)_level2 WHERE key BETWEEN ? AND ? AND row_no < ?")
                    .execute(.integer(low), .integer(high), .integer(floor))
            }
        }
        let following = zip(current, Self.slices).map { Int64(($0 + 1) % $1) }
        try FastStatement(database, sql: """
            INSERT INTO \(name)_sweep (id, level0_next, level1_next) VALUES (1, ?1, ?2)
            ON CONFLICT (id) DO UPDATE SET level0_next = ?1, level1_next = ?2
            """).execute(.integer(following[0]), .integer(following[1]))
    }

    /// Empties the index `name` and files what `entries` selects (two integer columns: key and row number) in
    /// level 2, in key order: for when the filed values themselves changed.
    public static func refile(_ db: Database, name: String, entries: String) throws {
        try db.execute(sql: """
            DELETE FROM \(name)_level0;
            DELETE FROM \(name)_level1;
            DELETE FROM \(name)_level2;
            INSERT INTO \(name)_level2 (key, row_no) \(entries) ORDER BY 1, 2;
            """)
    }

    /// The keys of slice `slice` of `count` equal slices of the signed 64-bit range, lowest first.
    static func range(ofSlice slice: UInt64, of count: UInt64) -> (Int64, Int64) {
        let width = UInt64.max / count &+ 1
        let low = UInt64(bitPattern: Int64.min) &+ slice &* width
        let high = slice == count - 1 ? UInt64(bitPattern: Int64.max) : low &+ (width &- 1)
        return (Int64(bitPattern: low), Int64(bitPattern: high))
    }

    /// The 64-bit key of an id: FNV-1a over its UTF-8 bytes, then MurmurHash3's finaliser so that every
    /// bit depends on every byte. Stored in the store: it must never change.
    public static func key(of id: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in id.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        hash ^= hash >> 33
        hash &*= 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        hash &*= 0xc4ce_b9fe_1a85_ec53
        hash ^= hash >> 33
        return Int64(bitPattern: hash)
    }

    /// The entry that stands for a digest (a keyed SHA-256, at least 16 bytes) in an index used as a set of
    /// digests: its first 16 bytes as key and row number, read big-endian. Digests that share those 128 bits
    /// count as one, which for keyed SHA-256 digests of different inputs does not happen in practice.
    public static func entry(ofDigest digest: [UInt8]) -> (key: Int64, row: Int64) {
        (digestPart(digest, 0), digestPart(digest, 1))
    }

    /// Bytes `8 * part ..< 8 * part + 8` of a digest as a big-endian signed integer (missing bytes count as 0).
    static func digestPart(_ digest: some Collection<UInt8>, _ part: Int) -> Int64 {
        var value: UInt64 = 0
        for byte in digest.dropFirst(8 * part).prefix(8) { value = value << 8 | UInt64(byte) }
        return Int64(bitPattern: value << (8 * UInt64(max(0, 8 - min(8, digest.count - 8 * part)))))
    }

    /// `welfare_id_key(text)` and `welfare_digest_part(blob, part)`, the same keys in SQL, for migrations that
    /// file existing rows.
    public static func sqlFunctions() -> [DatabaseFunction] {
        [DatabaseFunction("welfare_id_key", argumentCount: 1, pure: true) { values in
            String.fromDatabaseValue(values[0]).map { LeveledIdIndex.key(of: $0) }
        },
         DatabaseFunction("welfare_digest_part", argumentCount: 2, pure: true) { values in
            guard let digest = Data.fromDatabaseValue(values[0]), let part = Int.fromDatabaseValue(values[1]) else { return nil }
            return LeveledIdIndex.digestPart(digest, part)
        }]
    }
}
