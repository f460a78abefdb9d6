import Hummingbird
import Logging

/// The HTTP listener for operators: `/metrics` (Prometheus text), `/healthz` (live) and `/readyz` (ready),
/// the latter two answering 200 or 503 with a small JSON report, and `/status` (a page for people) with
/// `/status.json` (the same for scripts) when a status board is given.
public enum ObservabilityServer {
    public static func make(host: String, port: Int, metrics: WorkerMetrics, health: HealthState, board: StatusBoard? = nil,
                            logger: Logger) -> some ApplicationProtocol {
        let router = Router()
        if let board {
            router.get("status") { _, _ -> Response in
                Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                         body: .init(byteBuffer: ByteBuffer(string: StatusPage.html(board.snapshot()))))
            }
            router.get("status.json") { _, _ -> Response in
                Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                         body: .init(byteBuffer: ByteBuffer(bytes: StatusPage.json(board.snapshot()))))
            }
        }
        router.get("metrics") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
        }
        router.get("healthz") { _, _ -> Response in
            let report = health.report()
            return jsonResponse(report.json, ok: report.live)
        }
        router.get("readyz") { _, _ -> Response in
            let report = health.report()
            return jsonResponse(report.json, ok: report.ready)
        }
        return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "welfare-workers"), logger: logger)
    }

    private static func jsonResponse(_ json: String, ok: Bool) -> Response {
        Response(status: ok ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(string: json + "\n")))
    }
}
