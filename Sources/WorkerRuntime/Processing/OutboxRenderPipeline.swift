import Dispatch
import Kafka

/// Renders a batch's outbox messages on a thread of its own while the writer thread goes on applying the
/// batch's events, so that the writer spends its time on SQL.
///
/// Chunks are rendered in the order they are submitted (one serial queue), so the messages keep input
/// order. The items of a chunk are released on the rendering thread too. Use one pipeline per batch.
final class OutboxRenderPipeline<Item: Sendable>: @unchecked Sendable {
    private let queue: DispatchQueue
    private let group = DispatchGroup()
    private let render: @Sendable (Item) -> ProducerRecord
    /// Touched only on `queue` until `finish` has waited for it.
    private var rendered: [ProducerRecord] = []

    init(queue: DispatchQueue, render: @escaping @Sendable (Item) -> ProducerRecord) {
        self.queue = queue
        self.render = render
    }

    /// Renders `items` after the chunks submitted before them.
    func submit(_ items: [Item]) {
        guard !items.isEmpty else { return }
        queue.async(group: group) { [self] in
            rendered.reserveCapacity(rendered.count + items.count)
            for item in items { rendered.append(render(item)) }
        }
    }

    /// Waits for every submitted chunk and returns all their messages in submission order.
    func finish() -> [ProducerRecord] {
        group.wait()
        let all = rendered
        rendered = []
        return all
    }
}
