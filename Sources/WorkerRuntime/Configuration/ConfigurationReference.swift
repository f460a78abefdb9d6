/// The configuration reference (`configs/REFERENCE.md`), rendered from the keys the code knows, so the
/// document cannot drift from the workers: every key, its default and the environment variable that
/// overrides it, for every worker.
public enum ConfigurationReference {
    /// The reference for these workers, as Markdown.
    public static func render(_ workers: [any WorkerDomain.Type]) -> String {
        var text = """
            # Configuration reference

            Generated from the code by `welfare-admin config-reference > configs/REFERENCE.md`; a test fails when
            this file and the code disagree.

            Each worker reads one YAML file (`--config PATH`). A dotted key is a nested mapping in the file
            (`batch.max_messages` is `max_messages` under `batch:`). Every key can be overridden by its
            environment variable; a list is comma-separated there (`WELFARE_DOMAIN_STAR_THRESHOLDS_HOURS=100,300`).
            Flags win over both: `--store PATH` sets `store.path`, `--bootstrap-servers` sets
            `kafka.bootstrap.servers`. An unknown key stops the worker at start, naming the key and where it came from.

            ## librdkafka properties

            Everything under `kafka:` goes to librdkafka unchanged (see librdkafka's CONFIGURATION.md), for
            example `bootstrap.servers`, `security.protocol`, `sasl.mechanisms`, `ssl.ca.location`, `group.id`.
            `WELFARE_KAFKA_<PROPERTY>` sets one from the environment: dots become `_`, and `__` stands for a
            literal `_` (`WELFARE_KAFKA_SASL_PASSWORD` → `sasl.password`). Without `bootstrap.servers` the
            worker starts an embedded broker in its own process.

            """
        for worker in workers {
            let keys = RuntimeConfigurationKeys.keys(workerName: worker.workerName, inputTopic: worker.defaultInputTopic,
                                                      batchMaxMessages: worker.defaultBatchMaxMessages)
                + worker.configurationKeys
            text += "\n## \(worker.workerName)-worker\n\n"
            text += "| key | default | environment variable | meaning |\n|---|---|---|---|\n"
            for key in keys {
                let defaultText = key.defaultValue.map { "`\($0)`" } ?? "(none)"
                text += "| `\(key.name)` | \(defaultText) | `\(key.environmentVariable)` | \(key.help.replacingOccurrences(of: "|", with: "\\|")) |\n"
            }
        }
        return text
    }
}
