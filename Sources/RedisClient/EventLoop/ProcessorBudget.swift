import AuthKitPlatform

/// How many processors this process can keep busy at once, for ``BusyPollPolicy``: the fewest of those online,
/// those its affinity mask allows, and its cgroup CPU quota rounded up (a container limited to one CPU on a large
/// host counts as one, so a spinning I/O thread would only eat its quota).
enum ProcessorBudget {
    /// The budget of this process, at least 1.
    static func current() -> Int {
        var budget = Platform.onlineProcessors()
        #if os(Linux)
        if let allowed = allowedProcessors(status: readFile("/proc/self/status") ?? "") {
            budget = min(budget, allowed)
        }
        if let quota = cgroupQuota() { budget = min(budget, quota) }
        #endif
        return budget
    }

    /// The processors the affinity mask allows, from the `Cpus_allowed:` line of `/proc/self/status` (a hex mask
    /// in comma-separated words), or `nil` when there is none or it allows none.
    static func allowedProcessors(status: String) -> Int? {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed:") }) else {
            return nil
        }
        var count = 0
        for character in line.dropFirst("Cpus_allowed:".count)
        where character != "," && character != " "
            && character != "\t"
        {
            guard let digit = character.hexDigitValue else { return nil }
            count += digit.nonzeroBitCount
        }
        return count > 0 ? count : nil
    }

    /// The CPU quota of this process's cgroup (v2 `cpu.max`, else v1 `cpu.cfs_quota_us`), in processors rounded
    /// up, or `nil` when there is none or it cannot be read.
    static func cgroupQuota() -> Int? {
        let paths = cgroupPaths(readFile("/proc/self/cgroup") ?? "")
        for directory in ["/sys/fs/cgroup" + (paths.unified ?? "/"), "/sys/fs/cgroup"] {
            if let text = readFile(directory + "/cpu.max") {
                return processors(cpuMax: text)
            }
        }
        for mount in ["/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct"] {
            for directory in [mount + (paths.cpu ?? "/"), mount] {
                if let quota = readFile(directory + "/cpu.cfs_quota_us"),
                    let period = readFile(directory + "/cpu.cfs_period_us")
                {
                    return processors(quota: quota, period: period)
                }
            }
        }
        return nil
    }

    /// The cgroup v2 path (`0::/path`) and the v1 `cpu` controller's path from `/proc/self/cgroup`.
    static func cgroupPaths(_ text: String) -> (unified: String?, cpu: String?) {
        var unified: String?
        var cpu: String?
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3, fields[2].hasPrefix("/") else { continue }
            if fields[0] == "0" && fields[1].isEmpty {
                unified = String(fields[2])
            } else if fields[1].split(separator: ",").contains("cpu") {
                cpu = String(fields[2])
            }
        }
        return (unified, cpu)
    }

    /// Processors from a v2 `cpu.max` ("QUOTA PERIOD" or "max PERIOD"), rounded up; `nil` for no limit.
    static func processors(cpuMax: String) -> Int? {
        let fields = cpuMax.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard fields.count == 2 else { return nil }
        return processors(quota: String(fields[0]), period: String(fields[1]))
    }

    /// Processors from a quota and a period in microseconds, rounded up; `nil` for no limit (`max`, `-1`) or
    /// anything unreadable.
    static func processors(quota: String, period: String) -> Int? {
        func number(_ text: String) -> Int? { Int(text.filter { !$0.isWhitespace }) }
        guard let quota = number(quota), let period = number(period), quota > 0, period > 0 else { return nil }
        return max((quota + period - 1) / period, 1)
    }

    /// A small text file's contents, or `nil`.
    private static func readFile(_ path: String) -> String? {
        Platform.readFile(path, limit: 65536).map { String(decoding: $0, as: UTF8.self) }
    }
}
