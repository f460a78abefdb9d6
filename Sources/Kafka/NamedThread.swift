import Foundation

/// Starts `body` on a new operating-system thread named `name`, as `top -H`, `perf` and debuggers show it.
///
/// Foundation's `Thread.name` does not reach the kernel on Linux (every thread kept the name of the one that
/// started it), so the thread names itself through `/proc/thread-self/comm`. Linux keeps at most 15 bytes of
/// a name; longer ones are cut. A thread that cannot be named still runs.
public func startThread(named name: String, _ body: @escaping @Sendable () -> Void) {
    let kernelName = Array(name.utf8.prefix(15))
    let thread = Thread {
        let file = open("/proc/thread-self/comm", O_WRONLY)
        if file >= 0 {
            _ = kernelName.withUnsafeBytes { write(file, $0.baseAddress, $0.count) }
            close(file)
        }
        body()
    }
    thread.name = name
    thread.start()
}
