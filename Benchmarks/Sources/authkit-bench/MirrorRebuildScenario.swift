import AuthKitClock
@_spi(Benchmarks) import AuthKitRedis
import CBenchMalloc
import RedisClient
import Synchronization

/// `mirror-rebuild`: how long a revocation mirror starting beside a feed of `--tokens` revocations takes to read it
/// before it can answer, and the memory it then holds per revocation.
///
/// The feed is begun (one poll), then `--tokens` access tokens (22-character jtis over 100,000 users, living 15
/// minutes, the mirror's default longest lifetime) are revoked through `RedisTokenStore.revoke` by 64 concurrent
/// workers, each revocation a key and a feed entry. A fresh mirror on a connection of its own then polls until it
/// has read the whole feed and is proven current: that time is the rebuild. Its memory is the heap in use (glibc
/// `mallinfo2`: arena bytes in use plus mmapped chunks) and the resident size (`VmRSS`) after the rebuild minus
/// before, divided by the facts the mirror holds; the heap figure counts live allocations only, where RSS also
/// keeps what the decoding freed. Where the rebuild's time goes: the process's CPU time during it
/// (`rebuild_cpu_seconds`: decoding and applying the entries) and the server's time in the polls' scripts
/// (`server_poll_seconds`, the polls' commands in `INFO commandstats`: `MULTI`, `XINFO`, `XRANGE`, `EXEC`). Writes its
/// keys under a prefix of its own; the feed is deleted at the end, the
/// denylist entries expire with the tokens. Meant for a scratch server: the feed holds a million entries meanwhile.
enum MirrorRebuildScenario {
    static func run(options: BenchmarkOptions) async throws -> String {
        var configuration = try RedisConfiguration(url: options.url ?? "")
        configuration.commandTimeout = .seconds(10)
        configuration.connectTimeout = .seconds(1)
        let writer = RedisClient(configuration: configuration, logger: quietLogger)
        let prefix = "authkit-bench-rebuild-\(UInt32.random(in: 0...UInt32.max)):"
        let store = try RedisTokenStore(client: writer, configuration: RedisTokenStoreConfiguration(keyPrefix: prefix))
        // Writers append to the feed only once a mirror has begun it.
        let starter = try RevocationMirrorProbe(client: writer, keyPrefix: prefix, logger: quietLogger)
        _ = try await starter.poll()

        let count = options.tokens
        let expiresAt = UnixTime(seconds: TimeSource.system.now().seconds) + .seconds(15 * 60)
        let writeStart = monotonicNanoseconds()
        let next = SharedCounter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<64 {
                group.addTask {
                    while true {
                        let index = next.value.add(1, ordering: .relaxed).oldValue
                        guard index < count else { return }
                        let jti = String(index, radix: 36).leftPadded(to: 22)
                        _ = try await store.revoke(jti: jti, userID: "user-\(index % 100_000)", expiresAt: expiresAt)
                    }
                }
            }
            try await group.waitForAll()
        }
        let writeSeconds = Double(monotonicNanoseconds() - writeStart) / 1e9

        let own = RevocationMirrorProbe.clientConfiguration(from: configuration)
        let reader = RedisClient(configuration: own, logger: quietLogger)
        let serverBefore = await ServerCommandCounts.read(writer)
        let cpuBefore = processCPUSeconds()
        let heapBefore = heapInUse()
        let rssBefore = DenylistMemoryScenario.residentKilobytes("VmRSS")
        let start = monotonicNanoseconds()
        let mirror = try RevocationMirrorProbe(client: reader, keyPrefix: prefix, logger: quietLogger)
        var polls = 1
        while try await !mirror.poll() {
            polls += 1
        }
        let seconds = Double(monotonicNanoseconds() - start) / 1e9
        let cpuSeconds = processCPUSeconds() - cpuBefore
        let serverAfter = await ServerCommandCounts.read(writer)
        let serverMicroseconds = MirrorReadiness.pollCommands.reduce(0) { total, command in
            total + (serverAfter?.microseconds[command] ?? 0) - (serverBefore?.microseconds[command] ?? 0)
        }
        let heapAfter = heapInUse()
        let rssAfter = DenylistMemoryScenario.residentKilobytes("VmRSS")
        let peak = DenylistMemoryScenario.residentKilobytes("VmHWM")
        let facts = mirror.count
        _ = try? await writer.send(["UNLINK", RedisArgument(prefix + "feed")])
        withExtendedLifetime(mirror) {}
        let perFact = Double(max(facts, 1))
        return "{\"scenario\":\"mirror-rebuild\",\"revocations\":\(count),\"facts\":\(facts),"
            + "\"write_seconds\":\(rounded(writeSeconds, 3)),"
            + "\"write_ops_per_s\":\(rounded(Double(count) / writeSeconds, 1)),"
            + "\"rebuild_seconds\":\(rounded(seconds, 3)),\"polls\":\(polls),"
            + "\"rebuild_cpu_seconds\":\(rounded(cpuSeconds, 3)),"
            + "\"server_poll_seconds\":\(rounded(Double(serverMicroseconds) / 1e6, 3)),"
            + "\"entries_per_s\":\(rounded(Double(count) / seconds, 1)),"
            + "\"heap_before_bytes\":\(heapBefore),\"heap_after_bytes\":\(heapAfter),"
            + "\"heap_bytes_per_revocation\":\(rounded(Double(heapAfter - heapBefore) / perFact, 1)),"
            + "\"rss_before_kb\":\(rssBefore),\"rss_after_kb\":\(rssAfter),\"peak_rss_kb\":\(peak),"
            + "\"rss_bytes_per_revocation\":\(rounded(Double((rssAfter - rssBefore) * 1024) / perFact, 1))}"
    }

    /// The bytes malloc has handed out and not taken back (arena bytes in use plus mmapped chunks); -1 without
    /// glibc's `mallinfo2`.
    static func heapInUse() -> Int {
        Int(CBenchMalloc_heapInUse())
    }
}

/// An atomic counter the tasks of a group share (an `Atomic` cannot be captured by an escaping closure).
final class SharedCounter: Sendable {
    let value = Atomic<Int>(0)
}
