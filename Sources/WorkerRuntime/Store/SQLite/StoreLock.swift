import Foundation

/// An exclusive lock on the store's database file itself, held for the life of the process, so that a
/// second worker process on the same store refuses to start, whatever path it was given (a symlink, a hard
/// link, another spelling). `flock` locks are separate from the POSIX record locks SQLite takes on the same
/// file, so they do not disturb it. A refusal names the holder's pid, read from the kernel's lock table.
public final class StoreLock: Sendable {
    private let descriptor: Int32

    /// Takes the lock or throws naming the store and, when known, the process holding it.
    public init(storePath: String) throws {
        let directory = (storePath as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let fd = open(storePath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StoreError("cannot open store \(storePath): \(String(cString: strerror(errno)))") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let holder = Self.holder(of: fd).map(String.init) ?? "?"
            close(fd)
            let realPath = (storePath as NSString).resolvingSymlinksInPath
            throw StoreError("store \(storePath) (\(realPath)) is in use by another worker process (pid \(holder)); running several instances on one store is not supported")
        }
        descriptor = fd
    }

    /// The pid holding a `flock` on the file open as `fd`, from `/proc/locks` (`… FLOCK ADVISORY WRITE pid maj:min:inode …`).
    private static func holder(of fd: Int32) -> Int32? {
        var status = stat()
        guard fstat(fd, &status) == 0 else { return nil }
        // Read with read(2) to the end: the file's size is 0 to stat, like every file in /proc.
        let locks = open("/proc/locks", O_RDONLY | O_CLOEXEC)
        guard locks >= 0 else { return nil }
        defer { close(locks) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(locks, &buffer, buffer.count)
            guard count > 0 else { break }
            bytes += buffer.prefix(count)
        }
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let kind = fields.firstIndex(of: "FLOCK"), fields.count > kind + 4,
                  fields[kind + 4].split(separator: ":").last == Substring(String(status.st_ino)) else { continue }
            return Int32(fields[kind + 3])
        }
        return nil
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

/// A store problem a person can act on (a path, a lock, a schema from the future).
public struct StoreError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
