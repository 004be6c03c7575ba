import RedisClient
import Testing

@Suite("RedisConfiguration")
struct RedisConfigurationTests {
    @Test("plain URL with defaults")
    func plainURL() throws {
        let configuration = try RedisConfiguration(url: "redis://localhost")
        #expect(configuration.endpoint == .tcp(host: "localhost", port: 6379))
        #expect(configuration.database == 0)
        #expect(configuration.password == nil)
        #expect(configuration.tls == nil)
    }

    @Test("user, password, port and database")
    func fullURL() throws {
        let configuration = try RedisConfiguration(url: "redis://alice:s%40cret@10.0.0.5:6380/3?name=api")
        #expect(configuration.endpoint == .tcp(host: "10.0.0.5", port: 6380))
        #expect(configuration.username == "alice")
        #expect(configuration.password == "s@cret")
        #expect(configuration.database == 3)
        #expect(configuration.clientName == "api")
        #expect(!configuration.description.contains("s@cret"))
        #expect(!configuration.description.contains("cret"))
    }

    @Test("password without user")
    func passwordOnly() throws {
        let configuration = try RedisConfiguration(url: "redis://:pw@host")
        #expect(configuration.username == nil)
        #expect(configuration.password == "pw")
    }

    @Test("rediss with TLS parameters and IPv6")
    func tlsURL() throws {
        let configuration = try RedisConfiguration(url: "rediss://[::1]:6390?ca=/tmp/ca.pem&sni=redis.internal")
        #expect(configuration.endpoint == .tcp(host: "::1", port: 6390))
        #expect(configuration.tls?.caCertificateFile == "/tmp/ca.pem")
        #expect(configuration.tls?.serverName == "redis.internal")
    }

    @Test("unix socket with database")
    func unixURL() throws {
        let configuration = try RedisConfiguration(url: "unix:///var/run/redis.sock?db=2&password=x")
        #expect(configuration.endpoint == .unix(path: "/var/run/redis.sock"))
        #expect(configuration.database == 2)
        #expect(configuration.password == "x")
    }

    @Test(
        "invalid URLs are rejected",
        arguments: [
            "localhost:6379", "http://localhost", "redis://", "redis://host:0", "redis://host:70000",
            "redis://host:abc", "redis://host/x", "redis://host/-1", "unix://relative", "redis://host?bogus=1",
            "redis://host?ca=/x", "redis://host:6379:1", "redis://[::1",
            "redis://alice:@host?password=%zz",
        ]
    )
    func invalid(url: String) {
        #expect(throws: RedisError.self) { try RedisConfiguration(url: url) }
    }

    @Test("a user name without password is refused")
    func userWithoutPassword() {
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "redis://localhost?user=alice") }
    }
}
