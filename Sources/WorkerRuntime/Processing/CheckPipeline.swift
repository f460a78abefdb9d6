import Dispatch
import Kafka

/// Runs the store-free checks of a batch's messages on a thread of its own, chunk after chunk, while the
/// writer thread applies the messages already checked: for batches (or their tails) that nobody checked
/// ahead, so that the writer waits only for the first chunk instead of the whole batch.
///
/// The checks land in a buffer that only the checking thread writes; a reader takes message `i` only
/// after the chunk holding it was signalled. The checking block holds the pipeline until it has checked
/// every message, so the buffer is whole when it is freed (on whichever thread lets go of it last).
/// Unchecked for that reason: the chunk signals order each write before its reads.
final class CheckPipeline<Event: Sendable>: @unchecked Sendable {
    private let count: Int
    private let chunkSize: Int
    private let checked: UnsafeMutablePointer<PreparedMessage<Event>>
    private let chunksReady: [DispatchSemaphore]
    /// Chunks this reader has already waited for (read on the writer thread only).
    private var chunksSeen = 0

    init(_ messages: ArraySlice<ConsumedMessage>, chunkSize: Int, queue: DispatchQueue,
         check: @escaping @Sendable (ConsumedMessage) -> PreparedMessage<Event>) {
        count = messages.count
        self.chunkSize = chunkSize
        checked = .allocate(capacity: max(count, 1))
        let chunks = (count + chunkSize - 1) / chunkSize
        chunksReady = (0..<chunks).map { _ in DispatchSemaphore(value: 0) }
        queue.async { [self] in
            var index = 0
            for (chunk, ready) in chunksReady.enumerated() {
                for message in messages.dropFirst(chunk * chunkSize).prefix(chunkSize) {
                    (checked + index).initialize(to: check(message))
                    index += 1
                }
                ready.signal()
            }
        }
    }

    deinit {
        checked.deinitialize(count: count)
        checked.deallocate()
    }

    /// Where the checks of the batch's `index`-th message of those given are, once its chunk is done (waiting until then):
    /// valid for as long as this pipeline lives.
    func checkedMessage(at index: Int) -> UnsafePointer<PreparedMessage<Event>> {
        let chunk = index / chunkSize
        while chunksSeen <= chunk {
            chunksReady[chunksSeen].wait()
            chunksSeen += 1
        }
        return UnsafePointer(checked + index)
    }
}
