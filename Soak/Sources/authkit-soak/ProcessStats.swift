import Foundation

/// Resident memory and open file descriptors of this process, read from /proc (Linux).
struct ProcessStats {
    var rssKiB: Int
    var openFiles: Int

    static func current() -> ProcessStats {
        var rss = -1
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) {
            for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
                rss = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? -1
            }
        }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
        return ProcessStats(rssKiB: rss, openFiles: files)
    }
}
