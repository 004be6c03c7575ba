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
        let result = try await CLIRunner.run(
            [script.path, CLIRunner.executable.path],
            executable: URL(fileURLWithPath: "/bin/bash")
        )
        let text = result.stdout + result.stderr
        #expect(result.status == 0, "\(text)")
        #expect(text.contains("interop: ") && text.contains(" passed, 0 failed"), "\(text)")
    }
}
