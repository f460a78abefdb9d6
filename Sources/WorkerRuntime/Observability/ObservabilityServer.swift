import Hummingbird
import Logging

/// The HTTP listener for operators: `/metrics` (Prometheus text), `/healthz` (live) and `/readyz` (ready),
/// the latter two answering 200 or 503 with a small JSON report.
public enum ObservabilityServer {
    public static func make(host: String, port: Int, metrics: WorkerMetrics, health: HealthState, logger: Logger) -> some ApplicationProtocol {
        let router = Router()
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
