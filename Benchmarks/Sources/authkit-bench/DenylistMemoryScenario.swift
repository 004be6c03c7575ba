import AuthKitClock
import Foundation
import TokenStore

/// `denylist-memory`: denylists `--tokens` access tokens (22-character jtis, 100,000 users) in the in-memory
/// store and reports the resident memory it took, read from `/proc/self/status`.
enum DenylistMemoryScenario {
    static func run(options: BenchmarkOptions) async throws -> String {
        let store = InMemoryTokenStore()
        let before = residentKilobytes("VmRSS")
        let expiresAt = TimeSource.system.now() + .seconds(3600)
        let start = monotonicNanoseconds()
        for index in 0..<options.tokens {
            let jti = String(index, radix: 36).leftPadded(to: 22)
            _ = try await store.revoke(jti: jti, userID: "user-\(index % 100_000)", expiresAt: expiresAt)
        }
        let seconds = Double(monotonicNanoseconds() - start) / 1e9
        let after = residentKilobytes("VmRSS")
        let peak = residentKilobytes("VmHWM")
        let perToken = Double((after - before) * 1024) / Double(options.tokens)
        // Keep the store alive until measured.
        withExtendedLifetime(store) {}
        return "{\"scenario\":\"denylist-memory\",\"tokens\":\(options.tokens),\"seconds\":\(rounded(seconds, 3)),"
            + "\"ops_per_s\":\(rounded(Double(options.tokens) / seconds, 1)),\"rss_before_kb\":\(before),"
            + "\"rss_after_kb\":\(after),\"peak_rss_kb\":\(peak),\"bytes_per_token\":\(rounded(perToken, 1))}"
    }

    /// A field of `/proc/self/status` in KiB (0 where there is no such file).
    static func residentKilobytes(_ field: String) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
            let digits = line.dropFirst(field.count + 1).filter(\.isNumber)
            return Int(digits) ?? 0
        }
        return 0
    }
}

extension String {
    /// The string after as many zeros as make it `length` characters long (itself when it is that long already).
    func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
