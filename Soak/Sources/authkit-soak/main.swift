import AuthKit
import AuthKitRedis
import AuthKitTesting
import Foundation
import Logging
import RedisClient
import Synchronization

// authkit-soak [--seconds N] [--concurrency N] [--interval S]
//
// Starts a redis-server, runs a mixed load through the facade for N seconds (default 600), prints throughput,
// RSS, open file descriptors and the Redis key count every interval, then checks that nothing grew without bound:
// - warm-up is the first fifth of the run (at least 30 s), long enough for access tokens (20 s) and the denylist
//   entries they leave to start expiring, and for the pools and caches to reach their size;
// - at the end, RSS must be within 25 % + 16 MiB of its value after warm-up, open descriptors within 8, and the
//   key count within the live-state bound: per user the epoch, sessions index and permissions (3), per held
//   login a session and a family (2 each), plus the denylist entries and rate-limit keys that can be alive at
//   once (one per logout in the last access-token lifetime + margin; one per user).
// Exits 1 when a check fails or more than 0.1 % of calls failed.

var seconds = 600.0
var concurrency = 16
var interval = 10.0
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let name = arguments.next() {
    guard let value = arguments.next().flatMap(Double.init) else {
        FileHandle.standardError.write(
            Data("usage: authkit-soak [--seconds N] [--concurrency N] [--interval S]\n".utf8)
        )
        exit(2)
    }
    switch name {
    case "--seconds": seconds = value
    case "--concurrency": concurrency = Int(value)
    case "--interval": interval = value
    default:
        FileHandle.standardError.write(Data("unknown option \(name)\n".utf8))
        exit(2)
    }
}

let users = 64
let maxLoginsPerWorker = 8
let accessLifetime = Duration.seconds(20)
var quiet = Logger(label: "authkit-soak")
quiet.logLevel = .error

let server = try await RedisTestServer.start()
let client = RedisClient(configuration: try RedisConfiguration(url: server.url), logger: quiet)
let auth = try await AuthKit(
    configuration: AuthKitConfiguration(
        issuer: "https://soak.example.com",
        audience: "api",
        signingKeys: [try JWTKey.hs256([UInt8](repeating: 0x50, count: 32), kid: "soak")],
        accessTokenLifetime: accessLifetime,
        refreshTokenLifetime: .seconds(120)
    ),
    store: .redis(client: client),
    logger: quiet
)

func secondsOf(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func keyCount() async -> Int {
    Int((try? await client.send("DBSIZE").integer) ?? -1)
}

let counters = SoakCounters()
let running = Mutex(true)
let started = ContinuousClock.now
let startStats = ProcessStats.current()
let startKeys = await keyCount()
print("soak: \(Int(seconds)) s, \(concurrency) workers, \(users) users, redis-server on port \(server.port)")
print("start: rss \(startStats.rssKiB / 1024) MiB, fds \(startStats.openFiles), keys \(startKeys)")
print("     t   calls/s  errors    rss MiB  fds   keys")

let workers = (0..<concurrency).map { _ in
    Task {
        var worker = SoakWorker(auth: auth, users: users, maxLogins: maxLoginsPerWorker, counters: counters)
        while running.withLock({ $0 }) {
            await worker.runStep()
        }
    }
}

let warmUp = max(30, seconds / 5)
var warmStats: ProcessStats?
var warmKeys = 0
var lastReport = ContinuousClock.now
while ContinuousClock.now - started < .seconds(seconds) {
    try await Task.sleep(for: .seconds(min(interval, seconds)))
    let now = ContinuousClock.now
    let (calls, errors) = counters.takeInterval()
    let stats = ProcessStats.current()
    let keys = await keyCount()
    let elapsed = secondsOf(now - started)
    let rate = Double(calls) / max(0.001, secondsOf(now - lastReport))
    lastReport = now
    print(
        String(
            format: "%6.0f %9.0f %7d %10.1f %4d %6d",
            elapsed,
            rate,
            errors,
            Double(stats.rssKiB) / 1024,
            stats.openFiles,
            keys
        )
    )
    if warmStats == nil, elapsed >= warmUp {
        warmStats = stats
        warmKeys = keys
    }
}
running.withLock { $0 = false }
for worker in workers {
    await worker.value
}
let endStats = ProcessStats.current()
let endKeys = await keyCount()
let totals = counters.totals
let logoutsPerSecondBound = Double(totals.calls) / seconds / 10  // at most one step in ten logs out
let liveBound =
    users * 3 + concurrency * maxLoginsPerWorker * 2 + users
    + Int(logoutsPerSecondBound * Double((accessLifetime + .seconds(65)).components.seconds))

print("end:   rss \(endStats.rssKiB / 1024) MiB, fds \(endStats.openFiles), keys \(endKeys)")
print(
    "calls \(totals.calls) (\(Int(Double(totals.calls) / seconds))/s), errors \(totals.errors)"
        + (totals.kinds.isEmpty ? "" : ": \(totals.kinds.sorted { $0.value > $1.value }.prefix(5))")
)
var failures: [String] = []
if let warm = warmStats {
    print("after warm-up (\(Int(warmUp)) s): rss \(warm.rssKiB / 1024) MiB, fds \(warm.openFiles), keys \(warmKeys)")
    if endStats.rssKiB > warm.rssKiB + warm.rssKiB / 4 + 16 * 1024 {
        failures.append("RSS grew from \(warm.rssKiB / 1024) to \(endStats.rssKiB / 1024) MiB after warm-up")
    }
    if endStats.openFiles > warm.openFiles + 8 {
        failures.append("open descriptors grew from \(warm.openFiles) to \(endStats.openFiles)")
    }
} else {
    print("run shorter than the warm-up: growth checks skipped, only the key bound applies")
}
if endKeys > liveBound {
    failures.append("\(endKeys) keys, above the live-state bound of \(liveBound)")
}
if totals.errors * 1000 > totals.calls {
    failures.append("\(totals.errors) of \(totals.calls) calls failed")
}
await auth.shutdown()
await client.shutdown()
server.terminate()
if failures.isEmpty {
    print("soak: OK (key bound \(liveBound))")
} else {
    print("soak: FAILED\n  " + failures.joined(separator: "\n  "))
    exit(1)
}
