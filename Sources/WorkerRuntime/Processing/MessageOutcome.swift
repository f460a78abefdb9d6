/// The one outcome every input message gets (the contract's names, as stored and as metrics label them).
public enum MessageOutcome: String, Sendable, CaseIterable {
    /// The event changed the store.
    case applied
    /// A business rule refused the event; its id is taken and its source notified.
    case rejected
    /// A repeat of an event already handled (the same bytes under the same id, or one the domain recognises).
    case duplicate
    /// The message broke the contract, or the worker could not process it; copied to the dead-letter topic.
    case deadLettered = "dead_lettered"
}
