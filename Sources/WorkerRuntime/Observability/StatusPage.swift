import Foundation

/// Renders a `StatusBoard.Snapshot` as the operators' page (`/status`: server-rendered HTML, an inline SVG
/// chart, no script, refreshing itself) and as JSON for scripts (`/status.json`). Nothing here comes from a
/// message's content but event ids, reasons and details, and digit runs that could be an identity or
/// phone number are masked even there.
public enum StatusPage {
    /// Seconds between the page's own refreshes.
    public static let refreshSeconds = 5

    public static func html(_ snapshot: StatusBoard.Snapshot) -> String {
        let identity = snapshot.identity
        var page = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="refresh" content="\(refreshSeconds)">
            <title>\(escape(identity.worker)) · status</title>
            <style>
            body{font:15px/1.4 system-ui,-apple-system,"Noto Sans CJK SC",sans-serif;margin:0 auto;max-width:960px;padding:12px;color:#1d2330;background:#f6f7f9;overflow-wrap:anywhere}
            h1{font-size:22px;margin:4px 0}h2{font-size:17px;margin:18px 0 6px}
            section{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:10px 12px;margin:10px 0}
            table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
            th,td{text-align:left;padding:4px 6px;border-bottom:1px solid #eceef2;vertical-align:top}
            th{font-weight:600;color:#4a5263;font-size:13px}th,td{overflow-wrap:normal}.num{text-align:right}.facts span{display:inline-block;margin-right:14px}
            .ok{color:#1a7f37}.warn{color:#b35900}.bad{color:#c62828}code{font-size:12px;word-break:break-all;color:#37474f}
            .legend span{margin-right:12px}.swatch{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
            .scroll{overflow-x:auto}.letter{border-top:1px solid #eceef2;padding:6px 0}.letter b{margin-right:8px}.muted{color:#5f6878}
            </style></head><body>
            <header><h1>\(escape(identity.worker))</h1>
            <p class="facts"><span>version \(escape(identity.version))</span><span>up \(duration(snapshot.now.timeIntervalSince(snapshot.startedAt)))</span>\
            <span>store \(escape(identity.storeEngine)) \(bytes(snapshot.storeBytes))</span><span>broker \(escape(identity.brokerAddress))</span>\
            <span>allocator \(escape(identity.allocator))</span><span>input \(escape(identity.inputTopic))</span></p></header>

            """
        page += partitionsSection(snapshot)
        page += outcomesSection(snapshot)
        page += deadLettersSection(snapshot)
        let oldest = snapshot.oldestUndeliveredSeconds.map { duration($0) } ?? "none waiting"
        page += """
            <section id="outbox"><h2>Outbox</h2>
            <p><span class="\(snapshot.outboxBacklog > 0 ? "warn" : "ok")">\(snapshot.outboxBacklog) notifications and dead-letter copies waiting for Kafka</span>; \
            oldest undelivered: \(oldest)</p></section>
            <p><small>Rendered \(escape(shanghaiText(snapshot.now))) (Asia/Shanghai); refreshes every \(refreshSeconds) s. \
            The same data as JSON: <a href="status.json">status.json</a>.</small></p>
            </body></html>

            """
        return page
    }

    private static func partitionsSection(_ snapshot: StatusBoard.Snapshot) -> String {
        var rows = ""
        for partition in snapshot.partitions {
            let lag = partition.lag.map { String($0) } ?? "–"
            let state = partition.paused ? "<span class=\"warn\">paused</span>" : "<span class=\"ok\">consuming</span>"
            let last = partition.lastBatch.map { "\(duration(snapshot.now.timeIntervalSince($0))) ago" } ?? "–"
            rows += "<tr><td>\(partition.partition)</td><td class=\"num\">\(partition.nextOffset.map { String($0) } ?? "–")</td>" +
                "<td class=\"num\">\(partition.highWatermark.map { String($0) } ?? "–")</td><td class=\"num\">\(lag)</td><td>\(state)</td><td>\(last)</td></tr>\n"
        }
        if rows.isEmpty { rows = "<tr><td colspan=\"6\">no partition assigned</td></tr>\n" }
        return """
            <section id="partitions"><h2>Partitions of \(escape(snapshot.identity.inputTopic))</h2><div class="scroll"><table>
            <tr><th>partition</th><th class="num" title="the next offset kept in the store">next</th><th class="num" title="high watermark">high</th><th class="num">lag</th><th>state</th><th>last batch</th></tr>
            \(rows)</table></div></section>

            """
    }

    /// Colours of the four outcomes, in stacking order.
    private static var series: [(name: String, colour: String, value: @Sendable (StatusBoard.MinuteCounts) -> Int)] {
        [("applied", "#2e7d32", { $0.applied }), ("rejected", "#f9a825", { $0.rejected }),
         ("duplicate", "#78909c", { $0.duplicate }), ("dead-lettered", "#c62828", { $0.deadLettered })]
    }

    private static func outcomesSection(_ snapshot: StatusBoard.Snapshot) -> String {
        let width = 600.0, height = 120.0, barWidth = width / Double(snapshot.minutes.count)
        let peak = max(1, snapshot.minutes.map { minute in series.reduce(0) { $0 + $1.value(minute) } }.max() ?? 1)
        var bars = ""
        for (index, minute) in snapshot.minutes.enumerated() {
            var top = height
            for item in series {
                let count = item.value(minute)
                guard count > 0 else { continue }
                let barHeight = max(1, height * Double(count) / Double(peak))
                top -= barHeight
                bars += String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%@\"><title>%@ %@: %d</title></rect>",
                               Double(index) * barWidth, top, max(1, barWidth - 1), barHeight, item.colour, minuteLabel(minute.minute), item.name, count)
            }
        }
        let totals = series.map { item in (item, snapshot.minutes.reduce(0) { $0 + item.value($1) }) }
        let legend = totals.map { item, total in
            "<span><i class=\"swatch\" style=\"background:\(item.colour)\"></i>\(item.name) <b>\(total)</b></span>"
        }.joined()
        return """
            <section id="outcomes"><h2>Outcomes per minute, last hour</h2>
            <svg viewBox="0 0 \(Int(width)) \(Int(height) + 16)" width="100%" role="img" aria-label="outcomes per minute">
            <line x1="0" y1="\(Int(height))" x2="\(Int(width))" y2="\(Int(height))" stroke="#ccd"/>\(bars)
            <text x="0" y="\(Int(height) + 13)" font-size="11" fill="#667">−60 min</text>
            <text x="\(Int(width))" y="\(Int(height) + 13)" font-size="11" fill="#667" text-anchor="end">now · peak \(peak)/min</text></svg>
            <p class="legend">\(legend)</p></section>

            """
    }

    private static func deadLettersSection(_ snapshot: StatusBoard.Snapshot) -> String {
        let byReason = snapshot.deadLettersLastHour
        var reasonRows = byReason.map { "<tr><td>\(escape($0.reason))</td><td class=\"num\">\($0.count)</td></tr>" }.joined(separator: "\n")
        if reasonRows.isEmpty { reasonRows = "<tr><td colspan=\"2\">none in the last hour</td></tr>" }
        var letters = ""
        for letter in snapshot.recentDeadLetters {
            let command = redriveCommand(snapshot.identity, letter)
            letters += """
                <div class="letter"><b>\(escape(letter.reason))</b><span class="muted">\(escape(shanghaiText(letter.time))) · partition \(letter.partition) \
                · offset \(letter.offset) · event id \(escape(letter.eventID.map(maskDigitRuns) ?? "–"))</span><br>\(escape(maskDigitRuns(letter.detail)))<br>\
                show: <code>\(escape(command)) --dry-run</code><br>re-drive: <code>\(escape(command))</code></div>

                """
        }
        if letters.isEmpty { letters = "<p>none since the worker started</p>\n" }
        return """
            <section id="dead-letters"><h2>Dead letters by reason, last hour</h2><table>
            <tr><th>reason</th><th class="num">count</th></tr>
            \(reasonRows)
            </table>
            <h2>Latest \(StatusBoard.recentLimit) dead letters</h2>
            \(letters)</section>

            """
    }

    /// The `welfare-admin` command that re-drives one dead letter (with `--dry-run` it only shows it).
    public static func redriveCommand(_ identity: StatusBoard.Identity, _ letter: StatusBoard.DeadLetterEntry) -> String {
        "welfare-admin dlq redrive --bootstrap-servers \(identity.brokerAddress) --dlq-topic \(identity.deadLetterTopic) --position \(letter.partition):\(letter.offset)"
    }

    /// The same data as `html`, as one JSON object.
    public static func json(_ snapshot: StatusBoard.Snapshot) -> [UInt8] {
        let identity = snapshot.identity
        let partitions = snapshot.partitions.map { partition -> JSONValue in
            .object([
                "partition": .integer(Int64(partition.partition)), "next_offset": partition.nextOffset.map { .integer($0) } ?? .null,
                "high_watermark": partition.highWatermark.map { .integer($0) } ?? .null, "lag": partition.lag.map { .integer($0) } ?? .null,
                "paused": .bool(partition.paused), "last_batch": partition.lastBatch.map { .string(utcText($0)) } ?? .null,
            ])
        }
        let minutes = snapshot.minutes.map { minute -> JSONValue in
            .object([
                "minute": .string(utcText(Date(timeIntervalSince1970: Double(minute.minute) * 60))),
                "applied": .integer(Int64(minute.applied)), "rejected": .integer(Int64(minute.rejected)),
                "duplicate": .integer(Int64(minute.duplicate)), "dead_lettered": .integer(Int64(minute.deadLettered)),
            ])
        }
        let letters = snapshot.recentDeadLetters.map { letter -> JSONValue in
            .object([
                "time": .string(utcText(letter.time)), "topic": .string(letter.topic), "partition": .integer(Int64(letter.partition)),
                "offset": .integer(letter.offset), "reason": .string(letter.reason), "detail": .string(maskDigitRuns(letter.detail)),
                "event_id": letter.eventID.map { .string(maskDigitRuns($0)) } ?? .null, "redrive": .string(redriveCommand(identity, letter)),
            ])
        }
        let object: JSONObject = [
            "worker": .string(identity.worker), "version": .string(identity.version),
            "uptime_seconds": .integer(Int64(snapshot.now.timeIntervalSince(snapshot.startedAt))),
            "store": .object(["engine": .string(identity.storeEngine), "bytes": .integer(snapshot.storeBytes)]),
            "broker": .string(identity.brokerAddress), "allocator": .string(identity.allocator), "input_topic": .string(identity.inputTopic),
            "partitions": .array(partitions), "outcomes_per_minute": .array(minutes),
            "dead_letters_last_hour": .object(JSONObject(snapshot.deadLettersLastHour.map { ($0.reason, .integer(Int64($0.count))) })),
            "recent_dead_letters": .array(letters),
            "outbox": .object([
                "backlog": .integer(Int64(snapshot.outboxBacklog)),
                "oldest_undelivered_seconds": snapshot.oldestUndeliveredSeconds.map { .double(($0 * 1000).rounded() / 1000) } ?? .null,
            ]),
        ]
        return JSONWriter.encode(.object(object))
    }

    /// Replaces runs of 11 or more digits (phone and identity numbers look like that) with a masked form.
    public static func maskDigitRuns(_ text: String) -> String {
        var result = ""
        var run = ""
        func flush() {
            result += run.count >= 11 ? FieldFormats.maskPhone(run) : run
            run = ""
        }
        for character in text {
            if character.isASCII && (character.isNumber || (character == "X" && run.count == 17)) {
                run.append(character)
            } else {
                flush()
                result.append(character)
            }
        }
        flush()
        return result
    }

    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    static func duration(_ seconds: Double) -> String {
        let whole = max(0, Int(seconds))
        switch whole {
        case ..<60: return "\(whole) s"
        case ..<3600: return "\(whole / 60) min \(whole % 60) s"
        case ..<86_400: return "\(whole / 3600) h \(whole % 3600 / 60) min"
        default: return "\(whole / 86_400) d \(whole % 86_400 / 3600) h"
        }
    }

    static func bytes(_ count: Int64) -> String {
        switch count {
        case ..<1_048_576: return String(format: "%.1f KiB", Double(count) / 1024)
        case ..<1_073_741_824: return String(format: "%.1f MiB", Double(count) / 1_048_576)
        default: return String(format: "%.2f GiB", Double(count) / 1_073_741_824)
        }
    }

    /// A wall-clock time as a person in Chengdu reads it: `2026-05-10 09:00:00`.
    static func shanghaiText(_ date: Date) -> String {
        let style = Date.ISO8601FormatStyle(timeZone: shanghai).year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false)
            .dateTimeSeparator(.space)
        return date.formatted(style)
    }

    /// An instant as RFC 3339 in UTC, for scripts.
    static func utcText(_ date: Date) -> String { date.formatted(.iso8601) }

    private static let shanghai = TimeZone(identifier: "Asia/Shanghai") ?? TimeZone(secondsFromGMT: 8 * 3600) ?? .gmt

    static func minuteLabel(_ minute: Int64) -> String {
        let text = shanghaiText(Date(timeIntervalSince1970: Double(minute) * 60))
        return String(text.dropFirst(11).prefix(5))
    }
}
