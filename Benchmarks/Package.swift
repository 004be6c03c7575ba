// swift-tools-version:6.1
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "AuthKitBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "AuthKit", path: ".."),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        .package(url: "https://github.com/ordo-one/package-benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        // Only here, as the yardstick: the library itself never depends on jwt-kit.
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.8.0"),
    ],
    targets: [
        .target(
            name: "BenchSupport",
            dependencies: [
                .product(name: "JWTCore", package: "AuthKit"),
                .product(name: "AuthKitClock", package: "AuthKit"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ],
            swiftSettings: strictSettings
        ),
        // glibc's malloc statistics, which Swift's Glibc module does not export (mirror-rebuild's heap figure).
        .target(name: "CBenchMalloc"),
        .executableTarget(
            name: "authkit-bench",
            dependencies: [
                "BenchSupport",
                "CBenchMalloc",
                .product(name: "AuthKit", package: "AuthKit"),
                .product(name: "JWTCore", package: "AuthKit"),
                .product(name: "RedisClient", package: "AuthKit"),
                .product(name: "RateLimiter", package: "AuthKit"),
                .product(name: "TokenStore", package: "AuthKit"),
                .product(name: "AuthKitRedis", package: "AuthKit"),
                .product(name: "AuthKitClock", package: "AuthKit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "deadline-lateness",
            dependencies: [
                .product(name: "RedisClient", package: "AuthKit"),
                .product(name: "AuthKitTesting", package: "AuthKit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "JWTBenchmarks",
            dependencies: [
                "BenchSupport",
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "JWTCore", package: "AuthKit"),
                .product(name: "AuthKitClock", package: "AuthKit"),
            ],
            path: "Benchmarks/JWTBenchmarks",
            swiftSettings: strictSettings,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
        .executableTarget(
            name: "AuthKitBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "AuthKit", package: "AuthKit"),
                .product(name: "JWTCore", package: "AuthKit"),
                .product(name: "TokenStore", package: "AuthKit"),
                .product(name: "AuthKitClock", package: "AuthKit"),
            ],
            path: "Benchmarks/AuthKitBenchmarks",
            swiftSettings: strictSettings,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
