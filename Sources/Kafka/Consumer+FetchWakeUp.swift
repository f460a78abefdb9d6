import CRdKafka

extension Consumer {
    /// Makes the broker threads that fetch `partitions` decide again, now, whether to fetch; returns how
    /// many leader brokers it reached.
    ///
    /// librdkafka 2.0.2 (Debian bookworm's) stops fetching while its prefetch queue holds more than
    /// `queued.max.messages.kbytes` and looks again only when its broker thread next wakes up, which can
    /// be a second later (librdkafka 2.1 added `fetch.queue.backoff.ms` for this). A consumer that empties
    /// the queue faster than that sits idle for the rest of the second. A watermark query is one small
    /// request to a partition's leader; its reply wakes the leader's broker thread, which then fetches.
    /// So this queries one partition per leader broker, waiting at most `timeout` for each. Failures are
    /// ignored: the wake-up only saves time. Call it from the polling thread.
    @discardableResult
    public func wakeFetchers(of partitions: some Collection<TopicPartition>, timeout: Duration = .milliseconds(200)) -> Int {
        var oneByLeader: [Int32: TopicPartition] = [:]
        for partition in partitions {
            guard let leader = leader(of: partition, timeout: timeout), oneByLeader[leader] == nil else { continue }
            oneByLeader[leader] = partition
        }
        var reached = 0
        for partition in oneByLeader.values.sorted() {
            var low: Int64 = 0
            var high: Int64 = 0
            let err = rd_kafka_query_watermark_offsets(handle, partition.topic, partition.partition, &low, &high, Int32(clamping: timeout.milliseconds))
            if err == RD_KAFKA_RESP_ERR_NO_ERROR { reached += 1 }
        }
        return reached
    }

    /// The leader broker of a partition, from metadata read once per topic (again when a partition is new).
    private func leader(of partition: TopicPartition, timeout: Duration) -> Int32? {
        if let leader = partitionLeaders[partition.topic]?[partition.partition] { return leader }
        guard let rkt = rd_kafka_topic_new(handle, partition.topic, nil) else { return nil }
        defer { rd_kafka_topic_destroy(rkt) }
        var metadata: UnsafePointer<rd_kafka_metadata>? = nil
        guard rd_kafka_metadata(handle, 0, rkt, &metadata, Int32(clamping: timeout.milliseconds)) == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else { return nil }
        defer { rd_kafka_metadata_destroy(metadata) }
        guard metadata.pointee.topic_cnt > 0 else { return nil }
        let topic = metadata.pointee.topics[0]
        var leaders: [Int32: Int32] = [:]
        for index in 0..<Int(topic.partition_cnt) where topic.partitions[index].leader >= 0 {
            leaders[topic.partitions[index].id] = topic.partitions[index].leader
        }
        partitionLeaders[partition.topic] = leaders
        return leaders[partition.partition]
    }
}
