import Dispatch
import Kafka

/// Renders a batch's outbox messages and packs them into outbox rows on a thread of its own while the
/// writer thread goes on applying the batch's events, so that the writer spends its time on SQL.
///
/// Chunks are rendered in the order they are submitted (one serial queue), so the messages keep input
/// order. The items of a chunk are released on the rendering thread too. Use one pipeline per batch.
/// With `rowPerPartition` (an engine shared by several instances), a row holds the messages of one input
/// partition only, so that the partition's owner can deliver it.
/// Unchecked: its parts are touched only by blocks on its serial queue until `finish` waits for them all.
final class OutboxRenderPipeline<Item: Sendable>: @unchecked Sendable {
    /// The messages of one outbox row to be, packed and as they are (to send once committed).
    struct Part {
        var packed = PackedMessages(reservingCapacity: OutboxRow.maxBytes + 16 * 1024)
        var records: [ProducerRecord] = []
        /// The input partition of the messages (the first one's, unless rows are per partition).
        var partition: Int32
    }

    private let queue: DispatchQueue
    private let group = DispatchGroup()
    private let render: @Sendable (Item) -> (ProducerRecord, partition: Int32)
    private let rowPerPartition: Bool
    /// Touched only on `queue` until `finish` has waited for it.
    private var parts: [Part] = []
    private var current: Part?

    init(queue: DispatchQueue, rowPerPartition: Bool = false, render: @escaping @Sendable (Item) -> (ProducerRecord, partition: Int32)) {
        self.queue = queue
        self.rowPerPartition = rowPerPartition
        self.render = render
    }

    /// Renders `items` after the chunks submitted before them.
    func submit(_ items: [Item]) {
        guard !items.isEmpty else { return }
        queue.async(group: group) { [self] in
            var part = current.take()  // taken, so that appending does not copy it
            for item in items {
                let (record, partition) = render(item)
                // Read in place: binding the part to a constant would retain its buffer once per message.
                let full = (part?.records.count ?? 0) >= OutboxRow.maxMessages || (part?.packed.bytes.count ?? 0) >= OutboxRow.maxBytes
                if full || (rowPerPartition && part?.partition != nil && part?.partition != partition), let closed = part.take() {
                    parts.append(closed)
                }
                if part == nil { part = Part(partition: partition) }
                part?.packed.append(record)
                part?.records.append(record)
            }
            current = part
        }
    }

    /// Waits for every submitted chunk and returns the rows to write, their messages in submission order.
    func finish() -> [Part] {
        group.wait()
        var all = parts
        if let current { all.append(current) }
        parts = []
        current = nil
        return all
    }
}
