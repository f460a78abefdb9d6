import WorkerRuntime

/// A seeded stream for `welfare.tally`, the runtime's test domain: entries added to tallies, now and then a
/// reset, an amount over the limit or a repeated entry id, plus malformed messages when faults are on.
public struct TallyStream {
    public var tallies: Int
    public var seed: UInt64
    /// One of this many messages is malformed. 0 turns faults off.
    public var faultEvery: Int

    public init(tallies: Int = 50, seed: UInt64 = 7, faultEvery: Int = 50) {
        self.tallies = max(1, tallies)
        self.seed = seed
        self.faultEvery = faultEvery
    }

    /// Generates `count` messages.
    public func messages(count: Int) -> [SampleMessage] {
        var random = SeededRandom(seed: seed)
        return (0..<count).map { index in
            let tally = "T-\(Int(random.next() % UInt64(tallies)))"
            if faultEvery > 0 && index % faultEvery == faultEvery - 1 {
                return SampleMessage(key: tally, value: Array("{\"specversion\":\"1.0\",".utf8))
            }
            let roll = random.next() % 100
            let data: JSONObject = roll < 3
                ? ["tally_id": .string(tally), "reason": .string("month end")]
                : ["tally_id": .string(tally), "entry_id": .string("E-\(seed)-\(roll < 5 ? index - 1 : index)"),
                   "amount": .integer(roll < 7 ? 900 : Int64(1 + random.next() % 100))]
            let event: JSONObject = [
                "specversion": .string("1.0"), "id": .string("tally-\(seed)-\(index)"), "source": .string("/welfare-workers/tally-stream"),
                "type": .string(roll < 3 ? "tally.reset.v1" : "tally.added.v1"), "time": .string("2026-05-10T09:00:00+08:00"),
                "subject": .string(tally), "data": .object(data),
            ]
            return SampleMessage(key: tally, value: JSONWriter.encode(.object(event)))
        }
    }
}
