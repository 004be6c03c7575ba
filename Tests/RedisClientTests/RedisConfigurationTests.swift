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

    @Test(
        "an invalid URL's error never shows its credentials, even where a stray / or ? cuts the password apart",
        arguments: [
            "redis://:s3cr3tpw/x@host", "redis://alice:s3cr3tpw?x@host", "redis://alice:s3cr3tpw@host:abc",
            "redis-sentinel://alice:s3cr3tpw/x@host", "redis-cluster://:s3cr3tpw#1@h:1",
            "redis://:99s3cr3tpw/x@host", "redis://host?password=s3cr3tpw&db=s3cr3tpw",
        ]
    )
    func invalidURLErrorHidesCredentials(url: String) {
        let error = #expect(throws: RedisError.self) { try RedisConfiguration(url: url) }
        let text = error.map { "\($0)" } ?? ""
        #expect(!text.contains("s3cr3t") && !text.contains("cr3tpw"), "\(text)")
        #expect(error?.code == .invalidConfiguration)
    }

    @Test("a user name without password is refused")
    func userWithoutPassword() {
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "redis://localhost?user=alice") }
    }
}

/// URLs and settings of the cluster and Sentinel topologies.
@Suite("RedisConfiguration topologies")
struct RedisTopologyConfigurationTests {
    @Test("redis-cluster:// names the seed nodes; rediss-cluster:// adds TLS")
    func clusterURL() throws {
        let configuration = try RedisConfiguration(url: "redis-cluster://alice:pw@10.0.0.1:7000,10.0.0.2,[::1]:7002")
        let cluster = try #require(configuration.topology.cluster)
        #expect(
            cluster.seeds == [
                .init(host: "10.0.0.1", port: 7000), .init(host: "10.0.0.2", port: 6379),
                .init(host: "::1", port: 7002),
            ]
        )
        #expect(configuration.username == "alice")
        #expect(configuration.password == "pw")
        #expect(configuration.endpoint == .tcp(host: "10.0.0.1", port: 7000))
        #expect(configuration.tls == nil)
        #expect(configuration.description == "redis-cluster://alice:***@10.0.0.1:7000,10.0.0.2:6379,[::1]:7002")
        let tls = try RedisConfiguration(url: "rediss-cluster://h:1?ca=/tmp/ca.pem")
        #expect(tls.tls?.caCertificateFile == "/tmp/ca.pem")
        #expect(try RedisConfiguration(url: "redis-cluster://h:1/0").topology.cluster != nil)
    }

    @Test("redis-sentinel:// names the Sentinels and the primary; rediss-sentinel:// adds TLS")
    func sentinelURL() throws {
        let configuration = try RedisConfiguration(
            url: "redis-sentinel://:secret@s1:26380,s2/my%20primary?db=2&sentinel_password=sp&sentinel_user=su"
        )
        let sentinel = try #require(configuration.topology.sentinel)
        #expect(sentinel.sentinels == [.init(host: "s1", port: 26380), .init(host: "s2", port: 26379)])
        #expect(sentinel.primaryName == "my primary")
        #expect(sentinel.sentinelPassword == "sp")
        #expect(sentinel.sentinelUsername == "su")
        #expect(configuration.password == "secret")
        #expect(configuration.database == 2)
        #expect(!configuration.description.contains("secret"))
        #expect(!configuration.description.contains("sp"))
        #expect(try RedisConfiguration(url: "rediss-sentinel://s1/m").tls != nil)
    }

    @Test(
        "invalid topology URLs are rejected",
        arguments: [
            "redis-cluster://", "redis-cluster://h:1,", "redis-cluster://h:1,:2", "redis-cluster://h:1/3",
            "redis-cluster://h:1?db=1", "redis-cluster://h:0", "redis-sentinel://s1", "redis-sentinel://s1/",
            "redis-sentinel://s1/a/b", "redis-cluster://h?sentinel_password=x", "redis-sentinel://s1/m?user=u",
            "redis-sentinel://s1/m?sentinel_user=u",
        ]
    )
    func invalid(url: String) {
        let error = #expect(throws: RedisError.self) { try RedisConfiguration(url: url) }
        #expect(error?.code == .invalidConfiguration)
    }

    @Test("a topology built in code is validated like a URL")
    func validation() async throws {
        let empty = RedisClient(configuration: RedisConfiguration(topology: .cluster(.init(seeds: []))))
        let error = await #expect(throws: RedisError.self) { try await empty.ping() }
        #expect(error?.code == .invalidConfiguration)
        await empty.shutdown()
        let unnamed = RedisClient(
            configuration: RedisConfiguration(
                topology: .sentinel(.init(sentinels: [.init(host: "s", port: 1)], primaryName: ""))
            )
        )
        #expect(await errorCode { try await unnamed.ping() } == .invalidConfiguration)
        await unnamed.shutdown()
    }
}
