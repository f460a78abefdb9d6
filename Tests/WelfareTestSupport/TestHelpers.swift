import Foundation
import GRDB
import Kafka
import WorkerRuntime

/// A TCP port on the loopback interface that nothing listens on right now.
public func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A valid resident identity number born 1990-01-01 in Chengdu's Jinjiang district, distinct per sequence (0–999).
public func testIdentityNumber(sequence: Int) -> String {
    let body = "51010419900101" + String(format: "%03d", sequence)
    return body + String(FieldFormats.residentIdentityCheckCharacter(body) ?? "X")
}

/// Holds a store's write lock from another connection (`BEGIN EXCLUSIVE`), so that every write of the worker
/// fails with SQLITE_BUSY, until `release`.
public final class StoreWriteLockHolder: @unchecked Sendable {
    private let thread = DedicatedThread(name: "test.lock-holder")
    private let releaseSignal = DispatchSemaphore(value: 0)
    private var holder: Task<Void, any Error>?

    public init() {}

    /// Takes the lock; returns once it is held.
    public func hold(_ path: String) async throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        let blocker = try DatabaseQueue(path: path, configuration: configuration)
        let locked = DispatchSemaphore(value: 0)
        let release = releaseSignal
        let thread = self.thread
        holder = Task {
            try await thread.run {
                try blocker.inDatabase { db in
                    try db.execute(sql: "BEGIN EXCLUSIVE")
                    locked.signal()
                    release.wait()
                    try db.execute(sql: "ROLLBACK")
                }
            }
        }
        _ = try await onDedicatedThread { locked.wait(timeout: .now() + 10) }
    }

    /// Lets the lock go and waits until it is gone.
    public func release() async throws {
        releaseSignal.signal()
        try await holder?.value
        thread.stop()
    }
}
