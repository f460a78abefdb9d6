/// The database engines a worker's store can live in.
public enum StoreEngine: String, Sendable, CaseIterable {
    /// One SQLite file on the worker's own disk: the embedded default, one instance per store.
    case sqlite
    /// One PostgreSQL database shared by several instances of a worker, each owning some partitions.
    case postgresql
}
