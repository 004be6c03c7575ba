import AuthKitRedis
import Foundation
import RedisClient
import Testing

/// Where executables find the Redis URL: the order of the sources, files, and errors that never show a password.
@Suite("RedisURLSetting")
struct RedisURLSettingTests {
    private static let secret = "s3cr3t-pw"

    private func file(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("redis-url-\(UUID().uuidString)").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("the first source set wins: --redis, --redis-file, AUTHKIT_REDIS_URL, AUTHKIT_REDIS_URL_FILE")
    func precedence() throws {
        let fileA = try file("redis://file-flag:6379\n")
        let fileB = try file("  redis://file-variable:6379  \n")
        let environment = [
            RedisURLSetting.urlVariable: "redis://variable:6379", RedisURLSetting.urlFileVariable: fileB,
        ]
        let host = { (setting: RedisURLSetting?) -> String? in
            guard case .tcp(let host, _) = setting?.configuration.endpoint else { return nil }
            return host
        }
        #expect(
            try host(RedisURLSetting.resolve(flag: "redis://flag", fileFlag: fileA, environment: environment)) == "flag"
        )
        #expect(try host(RedisURLSetting.resolve(flag: nil, fileFlag: fileA, environment: environment)) == "file-flag")
        #expect(try host(RedisURLSetting.resolve(flag: "", fileFlag: nil, environment: environment)) == "variable")
        var fileOnly = environment
        fileOnly[RedisURLSetting.urlVariable] = ""
        let fromFile = try RedisURLSetting.resolve(flag: nil, fileFlag: nil, environment: fileOnly)
        #expect(host(fromFile) == "file-variable")
        #expect(fromFile?.url == "redis://file-variable:6379")
        #expect(fromFile?.source == "AUTHKIT_REDIS_URL_FILE (file \(fileB))")
        #expect(try RedisURLSetting.resolve(flag: nil, fileFlag: nil, environment: [:]) == nil)
    }

    @Test("the description masks the password and names the source")
    func description() throws {
        let setting = try #require(
            try RedisURLSetting.resolve(
                flag: nil,
                fileFlag: nil,
                environment: [RedisURLSetting.urlVariable: "redis://alice:\(Self.secret)@db:6380/2"]
            )
        )
        #expect(setting.description == "redis://alice:***@db:6380/2 (from AUTHKIT_REDIS_URL)")
        #expect(setting.configuration.password == Self.secret)
    }

    @Test(
        "errors name the source and never show the password",
        arguments: [
            ("redis://:\(secret)/x@db", "AUTHKIT_REDIS_URL: no host in '***'"),
            ("http://:\(secret)@db", "AUTHKIT_REDIS_URL: unsupported URL scheme '***'"),
            ("redis-sentinel://:\(secret)@s1:26379", "AUTHKIT_REDIS_URL: a Sentinel URL ends with /primary-name"),
        ]
    )
    func errors(url: String, expected: String) {
        let error = #expect(throws: RedisError.self) {
            try RedisURLSetting.resolve(flag: nil, fileFlag: nil, environment: [RedisURLSetting.urlVariable: url])
        }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.hasPrefix(expected) == true, "\(error?.message ?? "")")
        #expect(error?.message.contains(Self.secret) == false)
    }

    @Test("a file that is missing, empty or too large is refused, naming the source and the path")
    func fileErrors() throws {
        let missing = "/nonexistent/redis-url"
        let empty = try file(" \n")
        let large = try file(String(repeating: "x", count: 64 * 1024 + 1))
        for (path, reason) in [
            (missing, "cannot be read"), (empty, "holds no URL"), (large, "is larger than 65536 bytes"),
        ] {
            let error = #expect(throws: RedisError.self) {
                try RedisURLSetting.resolve(flag: nil, fileFlag: path, environment: [:])
            }
            #expect(error?.message == "--redis-file (file \(path)): the file \(reason)")
        }
    }
}
