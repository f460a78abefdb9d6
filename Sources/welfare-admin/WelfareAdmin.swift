import ArgumentParser

/// The operators' tool: topics against a cluster, dead letters, store backups, the configuration reference.
@main
struct WelfareAdmin: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "welfare-admin",
        abstract: "Operate welfare-workers: topics, dead letters, backups, configuration reference.",
        subcommands: [TopicsCommand.self, DeadLetterCommand.self, BackupCommand.self, StoreCommand.self, ConfigReferenceCommand.self])
}
