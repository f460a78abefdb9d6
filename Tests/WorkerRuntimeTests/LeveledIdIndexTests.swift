import Foundation
import GRDB
import Testing
import WelfareTestSupport
@testable import WorkerRuntime

/// `LeveledIdIndex`: ids filed by a 64-bit key in three levels, swept a slice per transaction, found by key
/// and confirmed by the id their row holds.
@Suite("leveled id index")
struct LeveledIdIndexTests {
    /// A store of rows (`test_rows`) with the index `test_keys` of their ids.
    static func openStore(in directory: URL) throws -> DatabaseQueue {
        let queue = try DatabaseQueue(path: directory.appendingPathComponent("index.sqlite").path)
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE test_rows (row_no INTEGER PRIMARY KEY, id TEXT NOT NULL)")
            for level in 0..<3 {
                try db.execute(sql: "CREATE TABLE test_keys_level\(level) (key INTEGER NOT NULL, row_no INTEGER NOT NULL, PRIMARY KEY (key, row_no)) WITHOUT ROWID")
            }
            try db.execute(sql: "CREATE TABLE test_keys_sweep (id INTEGER PRIMARY KEY CHECK (id = 1), level0_next INTEGER NOT NULL, level1_next INTEGER NOT NULL)")
        }
        return queue
    }

    /// The rows `id` finds, as a store looks them up: by key, confirmed by the id.
    static func rows(of id: String, key: Int64? = nil, in db: Database) throws -> [Int64] {
        try Int64.fetchAll(db, sql: """
            SELECT row_no FROM test_rows WHERE row_no IN (\(LeveledIdIndex.rowNumbers("test_keys", keyParameter: 1))) AND id = ?2 ORDER BY row_no
            """, arguments: [key ?? LeveledIdIndex.key(of: id), id])
    }

    /// Entries in each level.
    static func levelSizes(in db: Database) throws -> [Int] {
        try (0..<3).map { try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM test_keys_level\($0)") ?? -1 }
    }

    /// Adds `count` rows with new UUID ids in one transaction, filing each in the index.
    static func addRows(_ count: Int, to queue: DatabaseQueue, liveRowsFrom: String? = nil) throws -> [String] {
        try queue.write { db in
            let index = try LeveledIdIndex(db, name: "test_keys", liveRowsFrom: liveRowsFrom)
            return try (0..<count).map { _ in
                let id = UUID().uuidString.lowercased()
                try db.execute(sql: "INSERT INTO test_rows (id) VALUES (?)", arguments: [id])
                try index.insert(key: LeveledIdIndex.key(of: id), row: db.lastInsertedRowID)
                return id
            }
        }
    }

    @Test("every id stays found under its own row while the sweeps move it down the levels, and level 0 holds only the last transactions' ids")
    func idsStayFoundAcrossSweeps() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let queue = try Self.openStore(in: directory)
        var ids: [String] = []
        var largestLevel0 = 0
        for _ in 0..<600 {
            ids += try Self.addRows(20, to: queue)
            largestLevel0 = max(largestLevel0, try queue.read { try Self.levelSizes(in: $0)[0] })
        }
        let (found, sizes) = try queue.read { db in
            (try ids.enumerated().filter { try Self.rows(of: $0.element, in: db) != [Int64($0.offset + 1)] }.count, try Self.levelSizes(in: db))
        }
        #expect(found == 0, "ids not found under their own row")
        #expect(sizes.reduce(0, +) == ids.count, "each id filed once: \(sizes)")
        #expect(largestLevel0 <= 17 * 20, "level 0 keeps about 16 transactions' ids: \(largestLevel0)")
        #expect(sizes[1] > 0 && sizes[2] > ids.count / 2, "the sweeps moved ids down: \(sizes)")
        #expect(try queue.read { try Self.rows(of: "not-filed", in: $0) } == [])
    }

    @Test("ids that share a key each find their own row only")
    func sharedKeyFindsEachIdsOwnRow() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let queue = try Self.openStore(in: directory)
        try queue.write { db in
            let index = try LeveledIdIndex(db, name: "test_keys")
            for id in ["first", "second"] {
                try db.execute(sql: "INSERT INTO test_rows (id) VALUES (?)", arguments: [id])
                try index.insert(key: 42, row: db.lastInsertedRowID)
            }
        }
        let found = try queue.read { db in try ["first", "second", "third"].map { try Self.rows(of: $0, key: 42, in: db) } }
        #expect(found == [[1], [2], []])
        try queue.write { db in try LeveledIdIndex(db, name: "test_keys").remove(key: 42, row: 1) }
        #expect(try queue.read { try Self.rows(of: "first", key: 42, in: $0) } == [])
        #expect(try queue.read { try Self.rows(of: "second", key: 42, in: $0) } == [2])
    }

    @Test("entries of rows that are gone leave the index as the sweep passes them, and the live rows' stay")
    func entriesOfRowsGoneAreDropped() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let queue = try Self.openStore(in: directory)
        let liveRowsFrom = "SELECT min(row_no) FROM test_rows"
        let early = try Self.addRows(1_000, to: queue, liveRowsFrom: liveRowsFrom)
        try queue.write { try $0.execute(sql: "DELETE FROM test_rows WHERE row_no <= 900") }
        // Enough transactions for every slice of both levels to be swept once more.
        var later: [String] = []
        for _ in 0..<Int(LeveledIdIndex.slices[0] + LeveledIdIndex.slices[1]) + 1 {
            later += try Self.addRows(1, to: queue, liveRowsFrom: liveRowsFrom)
        }
        let (dead, sizes, found) = try queue.read { db in
            (try (0..<3).map { try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM test_keys_level\($0) WHERE row_no <= 900") ?? -1 }.reduce(0, +),
             try Self.levelSizes(in: db),
             try (early[900...] + later).filter { try Self.rows(of: $0, in: db).count == 1 }.count)
        }
        #expect(dead == 0, "entries of deleted rows left")
        #expect(sizes.reduce(0, +) == 100 + later.count, "entries: \(sizes)")
        #expect(found == 100 + later.count)
    }

    @Test("an id's key is fixed: stores keep it")
    func keysAreFixed() {
        #expect(LeveledIdIndex.key(of: "") == -1_166_397_803_181_037_274)
        #expect(LeveledIdIndex.key(of: "e1") == 5_776_248_991_027_667_079)
        #expect(LeveledIdIndex.key(of: "6f1c2a4e-93b1-4c52-8d0e-2f7a9b3c1d45") == 8_886_842_392_612_735_164)
        #expect(LeveledIdIndex.key(of: "志愿者") == -5_085_334_525_359_636_227)
    }

    @Test("a digest's entry is its first 128 bits, big-endian; a short digest counts as padded with zeros")
    func digestEntries() {
        let digest: [UInt8] = [0x80, 0, 0, 0, 0, 0, 0, 1, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff] + [UInt8](repeating: 0xee, count: 16)
        #expect(LeveledIdIndex.entry(ofDigest: digest) == (Int64.min + 1, Int64.max))
        #expect(LeveledIdIndex.entry(ofDigest: [0x01]) == (0x0100_0000_0000_0000, 0))
    }

    @Test("a level's slices cover the whole key range, in order, without gaps or overlaps")
    func slicesCoverTheKeyRange() {
        for count in LeveledIdIndex.slices {
            let ranges = (0..<count).map { LeveledIdIndex.range(ofSlice: $0, of: count) }
            #expect(ranges.first?.0 == Int64.min)
            #expect(ranges.last?.1 == Int64.max)
            #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.1 &+ 1 == $1.0 && $0.0 < $0.1 })
        }
    }
}
