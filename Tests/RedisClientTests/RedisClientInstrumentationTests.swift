import AuthKitTesting
import InMemoryTracing
import Metrics
import MetricsTestKit
import RedisClient
import Testing
import Tracing

/// The pool's swift-metrics and the spans of its round trips.
@Suite("RedisClient metrics and tracing")
struct RedisClientInstrumentationTests {
    @Test func everyRoundTripIsASpanWithoutItsArguments() async throws {
        let tracer = InMemoryTracer()
        try await withRedisServer { server in
            let configuration = try RedisConfiguration(url: server.url)
            let client = withTracer(tracer) { RedisClient(configuration: configuration) }
            try await client.send("SET", "greeting", "secret-value")
            _ = try await client.pipeline([["GET", "greeting"], ["EXISTS", "greeting"]])
            await #expect(throws: RedisError.self) { try await client.send("INCR", "greeting") }
            await client.shutdown()
        }
        let spans = tracer.finishedSpans
        #expect(spans.map(\.operationName) == ["SET", "PIPELINE", "INCR"])
        #expect(spans.allSatisfy { $0.kind == .client && $0.attributes.get("db.system.name") == .string("redis") })
        #expect(spans[1].attributes.get("db.operation.batch.size") == .int64(2))
        #expect(spans[2].errors.count == 1)
        for span in spans {
            #expect(!"\(span.attributes)".contains("secret-value"))
        }
    }

    @Test func noTracerNoSpans() async throws {
        // Outside any withTracer scope and with nothing bootstrapped, a client made inside a scope that ended
        // records into nothing: the tracer is read once, at creation.
        let tracer = InMemoryTracer()
        try await withRedisServer { server in
            let client = RedisClient(configuration: try RedisConfiguration(url: server.url))
            _ = try await withTracer(tracer) { try await client.send("PING") }
            await client.shutdown()
        }
        #expect(tracer.finishedSpans.isEmpty)
    }

    @Test func thePoolReportsConnectionsCommandsReconnectsAndErrors() async throws {
        let metrics = TestMetrics()
        try await withRedisServer { server in
            var configuration = try RedisConfiguration(url: server.url)
            configuration.poolSize = 1
            configuration.commandTimeout = TestTiming.scaled(.milliseconds(300))
            configuration.reconnectBackoff = RedisBackoff(initial: .milliseconds(20), maximum: .milliseconds(100))
            let client = RedisClient(configuration: configuration, metricsFactory: metrics)
            try await client.send("SET", "k", "v")
            let connections = try metrics.expectMeter("authkit_redis_connections")
            #expect(connections.lastValue == 1)
            #expect(try metrics.expectMeter("authkit_redis_commands_in_flight").lastValue == 0)

            await #expect(throws: RedisError.self) { try await client.send("INCR", "k") }
            #expect(try metrics.expectCounter("authkit_redis_errors_total", [("code", "server")]).totalValue == 1)

            // A command that outlives its deadline: a timeout, and the connection it was on is closed.
            await #expect(throws: RedisError.self) {
                try await client.send("DEBUG", "SLEEP", RedisArgument(3 * TestTiming.scale))
            }
            #expect(try metrics.expectCounter("authkit_redis_timeouts_total").totalValue == 1)
            #expect(try metrics.expectCounter("authkit_redis_errors_total", [("code", "timeout")]).totalValue == 1)

            // The pool connects again, and says so.
            _ = try await eventually { try await client.send("PING") }
            #expect(try metrics.expectCounter("authkit_redis_reconnects_total").totalValue >= 1)
            #expect(connections.lastValue == 1)
            #expect(try metrics.expectMeter("authkit_redis_commands_in_flight").lastValue == 0)
            await client.shutdown()
            #expect(connections.lastValue == 0)
        }
    }
}
