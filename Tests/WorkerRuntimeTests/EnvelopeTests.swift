import Foundation
import Testing
import WelfareTestSupport
import WorkerRuntime

@Suite("JSON parsing and writing")
struct JSONTests {
    @Test("objects, arrays, escapes and numbers parse as written; integers stay integers")
    func parsesValidJSON() throws {
        let value = try JSONParser.parse(Array(#" {"a": [1, -2, 3.5, 1e2, true, null], "s": "x\"\\\n\u00e9\ud83d\ude00", "z": {}} "#.utf8))
        guard case .object(let object) = value else { Issue.record("not an object"); return }
        #expect(object["a"] == .array([.integer(1), .integer(-2), .double(3.5), .double(100), .bool(true), .null]))
        #expect(object["s"] == .string("x\"\\\né😀"))
        #expect(object["z"] == .object(JSONObject()))
    }

    @Test("malformed texts are refused", arguments: [
        "", "{", "{\"a\":1,}", "[1,]", "{'a':1}", "nul", "01", "1.", "{\"a\":1} x", "\"\\ud800\"", "\"tab\there\"", "[\"\\x\"]",
    ])
    func refusesMalformedJSON(text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(Array(text.utf8)) }
    }

    @Test("invalid UTF-8 inside a string is refused")
    func refusesInvalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test("nesting deeper than the limit is refused instead of exhausting the stack")
    func refusesDeepNesting() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(Array(deep.utf8)) }
    }

    @Test("the writer escapes strings and keeps member order, so rendering is byte-stable")
    func writerIsStable() {
        let value = JSONValue.object(["b": .string("引号\"\n"), "a": .integer(3), "c": .double(3.5), "d": .double(2)])
        #expect(String(decoding: JSONWriter.encode(value), as: UTF8.self) == #"{"b":"引号\"\n","a":3,"c":3.5,"d":2}"#)
    }
}

@Suite("times, dates and field formats")
struct FormatTests {
    @Test("RFC 3339 timestamps with an offset parse to the same instant whatever the offset")
    func instantsParse() throws {
        let shanghai = try #require(Instant(rfc3339: "2026-05-10T09:00:00+08:00"))
        let utc = try #require(Instant(rfc3339: "2026-05-10T01:00:00Z"))
        let fraction = try #require(Instant(rfc3339: "2026-05-10t01:00:00.250z"))
        #expect(shanghai == utc)
        #expect(fraction.epochMicroseconds - utc.epochMicroseconds == 250_000)
        #expect(shanghai.text == "2026-05-10T09:00:00+08:00")
    }

    @Test("timestamps without an offset or with impossible fields are refused",
          arguments: ["2026-05-10T09:00:00", "2026-02-30T09:00:00Z", "2026-05-10T24:00:00Z", "2026-05-10 09:00:00Z", "2026-05-10T09:00:00+0800", "x"])
    func badInstants(text: String) {
        #expect(Instant(rfc3339: text) == nil)
    }

    @Test("the Shanghai date of an instant uses UTC+8")
    func shanghaiDates() throws {
        let lateUTC = try #require(Instant(rfc3339: "2026-05-10T17:30:00Z"))
        #expect(ShanghaiTime.date(of: lateUTC) == LocalDate(year: 2026, month: 5, day: 11))
    }

    @Test("weekdays, day arithmetic and ages (29 February birthdays count on 28 February)")
    func dates() throws {
        let date = try #require(LocalDate(iso: "2026-11-29"))
        #expect(date.isoWeekday == 7)
        #expect(date.adding(days: 1).description == "2026-11-30")
        #expect(LocalDate(iso: "2025-02-29") == nil)
        let leapling = try #require(LocalDate(iso: "2008-02-29"))
        #expect(leapling.fullYears(until: try #require(LocalDate(iso: "2026-02-27"))) == 17)
        #expect(leapling.fullYears(until: try #require(LocalDate(iso: "2026-02-28"))) == 18)
    }

    @Test("identity numbers need a valid check character and a real birth date")
    func identityNumbers() {
        #expect(FieldFormats.residentIdentityBirthDate("11010519491231002X") == LocalDate(year: 1949, month: 12, day: 31))
        #expect(FieldFormats.residentIdentityBirthDate("110105194912310021") == nil)  // wrong check character
        #expect(FieldFormats.residentIdentityBirthDate("110105194902300022") == nil)  // 30 February
        #expect(FieldFormats.isMobileNumber("13800138000"))
        #expect(!FieldFormats.isMobileNumber("23800138000"))
        #expect(FieldFormats.maskName("张三明") == "张*明")
        #expect(FieldFormats.maskName("张三") == "张*")
        #expect(FieldFormats.maskName("张") == "张")
        #expect(FieldFormats.maskPhone("13800138000") == "138****8000")
    }

    @Test("identifiers are 1–64 characters from the contract's alphabet")
    func identifiers() {
        #expect(FieldFormats.isIdentifier("V-2026:01_a.b"))
        #expect(!FieldFormats.isIdentifier(""))
        #expect(!FieldFormats.isIdentifier("with space"))
        #expect(!FieldFormats.isIdentifier(String(repeating: "a", count: 65)))
    }
}

@Suite("CloudEvents envelope checks")
struct EnvelopeCheckTests {
    func reason(_ text: String) -> DeadLetterReason? {
        if case .deadLetter(let reason, _, _) = EnvelopeCheck.check(Array(text.utf8)) { return reason }
        return nil
    }

    let valid = #"{"specversion":"1.0","id":"e1","source":"/s","type":"t","time":"2026-05-10T09:00:00+08:00","subject":"k","data":{}}"#

    @Test("a valid envelope passes; unknown extra attributes are ignored")
    func validEnvelope() {
        #expect(reason(valid) == nil)
        #expect(reason(valid.replacingOccurrences(of: "\"data\"", with: "\"extra\":1,\"datacontenttype\":\"application/json; charset=utf-8\",\"data\"")) == nil)
    }

    @Test("each envelope failure maps to its reason")
    func reasons() {
        #expect(reason("not json") == .malformedJSON)
        #expect(reason("[1]") == .notCloudEvent)
        #expect(reason(valid.replacingOccurrences(of: "\"time\":\"2026-05-10T09:00:00+08:00\",", with: "")) == .notCloudEvent)
        #expect(reason(valid.replacingOccurrences(of: "+08:00", with: "")) == .notCloudEvent)
        #expect(reason(valid.replacingOccurrences(of: "\"data\":{}", with: "\"data\":[]")) == .notCloudEvent)
        #expect(reason(valid.replacingOccurrences(of: "\"id\":\"e1\"", with: "\"id\":7")) == .notCloudEvent)
        #expect(reason(valid.replacingOccurrences(of: "\"data\"", with: "\"datacontenttype\":\"text/plain\",\"data\"")) == .notCloudEvent)
        #expect(reason(valid.replacingOccurrences(of: "\"1.0\"", with: "\"0.3\"")) == .unsupportedSpecVersion)
        // NOT_CLOUDEVENT comes before UNSUPPORTED_SPECVERSION.
        #expect(reason(valid.replacingOccurrences(of: "\"1.0\"", with: "\"0.3\"").replacingOccurrences(of: "+08:00", with: "")) == .notCloudEvent)
    }

    @Test("a value of exactly 1 MiB is accepted and one byte more is TOO_LARGE")
    func sizeLimit() {
        let padded = Array(valid.utf8) + [UInt8](repeating: 0x20, count: EnvelopeCheck.maximumValueBytes - valid.utf8.count)
        #expect(padded.count == 1_048_576)
        if case .deadLetter = EnvelopeCheck.check(padded) { Issue.record("exactly 1 MiB must be accepted") }
        if case .deadLetter(let reason, _, _) = EnvelopeCheck.check(padded + [0x20]) { #expect(reason == .tooLarge) } else { Issue.record("1 MiB + 1 must be refused") }
    }
}
