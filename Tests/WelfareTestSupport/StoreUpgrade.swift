import Foundation
import GRDB
import WorkerRuntime

/// A store that a domain's migrations brought only up to `migration`, filled by `rows`, then opened as
/// the current worker opens it (every later migration runs): for tests that an upgrade keeps the data.
public func upgradedStore<Domain: DomainHandler>(_ domain: Domain, from migration: String, rows: String) throws -> SQLiteStore {
    let directory = try temporaryDirectory()
    let path = directory.appendingPathComponent("store.sqlite").path
    var migrator = DatabaseMigrator()
    SQLiteStore.register(domain.schema(for: .sqlite), in: &migrator)
    // The functions a store's connections have, which some steps use.
    var configuration = Configuration()
    configuration.prepareDatabase { db in
        for function in LeveledIdIndex.sqlFunctions() { db.add(function: function) }
    }
    let queue = try DatabaseQueue(path: path, configuration: configuration)
    try migrator.migrate(queue, upTo: migration)
    try queue.write { try $0.execute(sql: rows) }
    try queue.close()
    return try SQLiteStore(path: path, for: domain)
}

/// Deletes the folder `upgradedStore` made for a store (call it deferred, once the test is done with it).
public func removeUpgradedStore(_ store: SQLiteStore) {
    try? FileManager.default.removeItem(atPath: (store.path as NSString).deletingLastPathComponent)
}
