import Foundation
import Testing

/// Runs `Tests/interop/interop.sh` against the built CLI: tokens of every asymmetric algorithm minted by
/// PyJWT and joserfc must verify and their tampered twins must fail. It needs python3 with the packages in
/// `Tests/interop/requirements.txt` (`make deps` installs them); without them the test fails and says so,
/// rather than skipping silently. It installs nothing itself.
@Suite("Interop with PyJWT and joserfc")
struct InteropTests {
    @Test("tokens minted by PyJWT and joserfc verify; tampered twins are rejected")
    func interop() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let script = root.appendingPathComponent("Tests/interop/interop.sh")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script.path, CLIRunner.executable.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let text = try await CLIRunner.onOwnThread {
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return text
        }
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("interop: ") && text.contains(" passed, 0 failed"), "\(text)")
    }
}
