/// What the launcher needs of a running engine, whatever its domain: start it, ask it to stop, wait for
/// it, and whether it stopped because it was asked to (`WorkerDomain.controls(of:)`).
public struct EngineControls: Sendable {
    let start: @Sendable () -> Void
    let requestStop: @Sendable () -> Void
    let waitUntilStopped: @Sendable (Duration) -> Bool
    let stoppedOnRequest: @Sendable () -> Bool

    /// The controls of `engine`.
    public init<Handler: DomainHandler>(_ engine: WorkerEngine<Handler>) {
        start = { engine.start() }
        requestStop = { engine.requestStop() }
        waitUntilStopped = { engine.waitUntilStopped(timeout: $0) }
        stoppedOnRequest = { engine.stoppedOnRequest }
    }
}
