import ArgumentParser
import Foundation
import WelfareOperations
import WorkerRuntime

/// `welfare-admin dlq list|redrive`: a store's dead letters, and sending them back to their input topic.
struct DeadLetterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq",
        abstract: "List a worker's dead letters and re-drive them to their input topic.",
        subcommands: [List.self, Redrive.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the dead letters a worker's store recorded (reason, detail, original position).",
            discussion: "Opens the store read-only; works while the worker runs.")
        @Option(help: "The worker's store: its SQLite file, or its postgresql:// URL (password from PGPASSWORD).") var store: String
        @Option(help: "Only this reason (e.g. INVALID_DATA).") var reason: String?
        @Option(help: "At most this many.") var limit = 1_000
        @Flag(help: "One JSON object per line instead of a table.") var json = false

        func run() throws {
            let letters = try DeadLetterRecord.list(storePath: store, reason: reason, limit: limit)
            if json {
                for letter in letters {
                    let object = JSONObject([
                        (key: "topic", value: .string(letter.topic)),
                        (key: "partition", value: .integer(Int64(letter.partition))),
                        (key: "offset", value: .integer(letter.offset)),
                        (key: "event_id", value: letter.eventID.map(JSONValue.string) ?? .null),
                        (key: "event_type", value: letter.eventType.map(JSONValue.string) ?? .null),
                        (key: "reason", value: .string(letter.reason)),
                        (key: "detail", value: .string(letter.detail)),
                    ])
                    print(String(decoding: JSONWriter.encode(.object(object)), as: UTF8.self))
                }
                return
            }
            let counts = try DeadLetterRecord.countsByReason(storePath: store)
            print("\(counts.reduce(0) { $0 + $1.count }) dead letters: " + counts.map { "\($0.reason) \($0.count)" }.joined(separator: ", "))
            for letter in letters {
                print("\(letter.topic)[\(letter.partition)]@\(letter.offset)  \(letter.reason)  \(letter.eventID ?? "-")  \(letter.detail)")
            }
        }
    }

    struct Redrive: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send selected dead letters back to their input topic.",
            discussion: """
                Reads the dead-letter topic, selects messages by reason, event id or original position, and sends \
                each back to the topic it came from with its original key. With --corrected, a message of that \
                NDJSON file (the welfare-publish format) whose CloudEvent id matches a selected dead letter is sent \
                instead of the original bytes: that is how a producer's fixed events get processed. A byte-identical \
                re-send of a message that broke the contract is dead-lettered again; a re-sent applied event is a duplicate.
                """)
        @OptionGroup var kafka: KafkaOptions
        @Option(help: "The dead-letter topic, e.g. welfare.volunteer-hours.dlq.") var dlqTopic: String
        @Option(help: "Select this reason (repeatable).") var reason: [String] = []
        @Option(help: "Select this CloudEvent id (repeatable).") var eventID: [String] = []
        @Option(help: "Select this original input position, PARTITION:OFFSET or as `dlq list` prints it, TOPIC[PARTITION]@OFFSET (repeatable).")
        var position: [String] = []
        @Flag(help: "Select every dead letter.") var all = false
        @Option(help: "NDJSON file of corrected events, matched to dead letters by CloudEvent id.") var corrected: String?
        @Flag(help: "Show what would be sent; send nothing.") var dryRun = false

        func validate() throws {
            guard all || !reason.isEmpty || !eventID.isEmpty || !position.isEmpty else {
                throw ValidationError("select dead letters with --reason, --event-id, --position or --all")
            }
            for entry in position where Self.normalized(entry) == nil {
                throw ValidationError("--position takes PARTITION:OFFSET or TOPIC[PARTITION]@OFFSET, not \(entry)")
            }
        }

        func run() throws {
            let redrive = DeadLetterRedrive(configuration: kafka.configuration, deadLetterTopic: dlqTopic)
            let selection = DeadLetterRedrive.Selection(reasons: Set(reason), eventIDs: Set(eventID),
                                                        positions: Set(position.compactMap(Self.normalized)), all: all)
            let corrections = try corrected.map { try PublishableMessage.readNDJSON(path: $0) } ?? []
            let selected = try redrive.readDeadLetters().filter { selection.matches($0) }
            guard !selected.isEmpty else {
                print("no dead letter in \(dlqTopic) matches the selection")
                return
            }
            if dryRun {
                for letter in selected { print("would re-drive \(describe(letter))") }
                return
            }
            for resent in try redrive.redrive(selected, corrections: corrections) {
                print("re-drove \(describe(resent.letter)) \(resent.corrected ? "as corrected" : "as it was")")
            }
        }

        /// `P:O` from `P:O` or `topic[P]@O`; nil when it is neither.
        static func normalized(_ entry: String) -> String? {
            var text = Substring(entry)
            if let open = text.lastIndex(of: "["), let close = text.lastIndex(of: "]"), open < close {
                text = text[text.index(after: open)..<close] + ":" + text[text.index(after: close)...].drop { $0 == "@" }
            }
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let partition = Int(parts[0]), let offset = Int64(parts[1]), partition >= 0, offset >= 0 else { return nil }
            return "\(partition):\(offset)"
        }

        private func describe(_ letter: DeadLetterRedrive.DeadLetterMessage) -> String {
            "\(letter.originalTopic)[\(letter.originalPartition)]@\(letter.originalOffset) \(letter.reason) \(letter.eventID ?? "-")"
        }
    }
}
