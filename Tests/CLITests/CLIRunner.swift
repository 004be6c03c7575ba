import Foundation
import Testing

/// Runs the executables (`authkit`, `authkit-demo`) that SwiftPM built beside this test bundle.
struct CLIRunner {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static let executable = built("authkit")

    /// An executable product of this package, found beside the test bundle.
    static func built(_ name: String) -> URL {
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let selfExecutable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            .deletingLastPathComponent()
        for directory in [selfExecutable, bundleDirectory, bundleDirectory.deletingLastPathComponent()] {
            let candidate = directory.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return selfExecutable.appendingPathComponent(name)
    }

    /// Runs the executable on a thread of its own: waiting for a child process must not hold one of the few
    /// threads of Swift's cooperative pool, which every other test in the run shares. `environment` sets (or, with
    /// nil, removes) variables of the child's environment, which is otherwise this process's.
    static func run(
        _ arguments: [String],
        stdin: String? = nil,
        environment: [String: String?] = [:],
        executable: URL = executable
    ) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(
                    with: Swift.Result {
                        try runBlocking(arguments, stdin: stdin, environment: environment, executable: executable)
                    }
                )
            }
            thread.start()
        }
    }

    private static func runBlocking(
        _ arguments: [String],
        stdin: String?,
        environment: [String: String?],
        executable: URL
    ) throws -> Result {
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            let name = executable.lastPathComponent
            throw CLIError("\(name) is not at \(executable.path); build it with `swift build`")
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var childEnvironment = ProcessInfo.processInfo.environment
        for (name, value) in environment {
            childEnvironment[name] = value
        }
        process.environment = childEnvironment
        let output = Pipe()
        let errors = Pipe()
        let input = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        let errData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self)
        )
    }

    /// Writes `text` to a new temporary file and returns its path.
    static func temporaryFile(_ text: String, name: String = "key.json") throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "authkit-cli-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: file)
        return file.path
    }
}

struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
