import Foundation
import Kafka
import Testing

@Suite("admin client")
struct AdminTests {
    @Test("describing topics lists what the embedded broker has, with partition counts")
    func describeTopics() async throws {
        let broker = try makeBroker(["welfare.notifications": 12, "welfare.volunteer-hours.dlq": 3])
        let admin = try Admin(configuration: KafkaConfiguration(["bootstrap.servers": broker.bootstrapServers]))
        let topics = try await onDedicatedThread { try admin.describeTopics(timeout: .seconds(10)) }
        #expect(topics["welfare.notifications"]?.partitions == 12)
        #expect(topics["welfare.volunteer-hours.dlq"]?.partitions == 3)
    }

    @Test("creating topics where the cluster cannot answer fails with a typed, retriable error")
    func createTopicsReportsTimeouts() async throws {
        // The embedded broker does not implement CreateTopics: the request times out waiting for the controller.
        let broker = try makeBroker([:])
        let admin = try Admin(configuration: KafkaConfiguration(["bootstrap.servers": broker.bootstrapServers]))
        let outcome: Result<[String: Result<Void, KafkaError>], KafkaError> = try await onDedicatedThread {
            do throws(KafkaError) {
                return .success(try admin.createTopics([TopicSpecification(name: "x", partitions: 1, replicationFactor: 1)], timeout: .seconds(2)))
            } catch {
                return .failure(error)
            }
        }
        switch outcome {
        case .failure(let error):
            #expect(error.isRetriable || error.isTimeout)
        case .success(let perTopic):
            let result = try #require(perTopic["x"])
            if case .failure(let error) = result { #expect(!error.name.isEmpty) } else { Issue.record("the embedded broker unexpectedly created a topic through the Admin API") }
        }
    }
}
