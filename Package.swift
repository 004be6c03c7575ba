// swift-tools-version:6.1
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

// The framework integrations are library products behind package traits that are off by default: an app that
// enables neither gets nothing of Hummingbird or Vapor in its build (SwiftPM does not even fetch them).
//   .package(url: "…/authkit", from: "…", traits: ["Hummingbird"])   // AuthKitHummingbird
//   .package(url: "…/authkit", from: "…", traits: ["Vapor"])         // AuthKitVapor
//   .package(url: "…/authkit", from: "…", traits: ["Configuration"]) // AuthKitConfig (swift-configuration)
let hummingbird: TargetDependencyCondition? = .when(traits: ["Hummingbird"])
let vapor: TargetDependencyCondition? = .when(traits: ["Vapor"])
let configuration: TargetDependencyCondition? = .when(traits: ["Configuration"])

let package = Package(
    name: "AuthKit",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "AuthKit", targets: ["AuthKit"]),
        .library(name: "AuthKitRedis", targets: ["AuthKitRedis"]),
        .library(name: "JWTCore", targets: ["JWTCore"]),
        .library(name: "TokenStore", targets: ["TokenStore"]),
        .library(name: "RateLimiter", targets: ["RateLimiter"]),
        .library(name: "PermissionCache", targets: ["PermissionCache"]),
        .library(name: "RedisClient", targets: ["RedisClient"]),
        .library(name: "AuthKitClock", targets: ["AuthKitClock"]),
        .library(name: "AuthKitTesting", targets: ["AuthKitTesting"]),
        .library(name: "AuthKitHummingbird", targets: ["AuthKitHummingbird"]),
        .library(name: "AuthKitVapor", targets: ["AuthKitVapor"]),
        .library(name: "AuthKitConfig", targets: ["AuthKitConfig"]),
        .executable(name: "authkit", targets: ["authkit"]),
        .executable(name: "authkit-demo", targets: ["authkit-demo"]),
    ],
    traits: [
        .trait(name: "Hummingbird", description: "AuthKitHummingbird: middleware and routes for Hummingbird 2."),
        .trait(name: "Vapor", description: "AuthKitVapor: authenticators, middleware and routes for Vapor 4."),
        .trait(
            name: "Configuration",
            description:
                "AuthKitConfig: AuthKit and Redis settings from the environment and JSON files (swift-configuration)."
        ),
        .default(enabledTraits: []),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/vapor/vapor", from: "4.122.3"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: ["JSON"]),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        // C libraries, reached only from JWTCore and RedisClient.
        .systemLibrary(
            name: "CAuthKitOpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]
        ),
        .systemLibrary(
            name: "CAuthKitHiredis",
            pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"]), .brew(["hiredis"])]
        ),

        // The library. AuthKitPlatform is the one module that calls the C library (make lint holds to it).
        .target(name: "AuthKitPlatform", swiftSettings: strictSettings),
        .target(name: "AuthKitClock", dependencies: ["AuthKitPlatform"], swiftSettings: strictSettings),
        .target(
            name: "JWTCore",
            dependencies: [
                "CAuthKitOpenSSL", "AuthKitPlatform", "AuthKitClock", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "RedisClient",
            dependencies: [
                "AuthKitPlatform",
                "AuthKitClock",
                "CAuthKitHiredis",
                "CAuthKitOpenSSL",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strictSettings
        ),
        .target(name: "TokenStore", dependencies: ["AuthKitClock", "JWTCore"], swiftSettings: strictSettings),
        .target(name: "RateLimiter", dependencies: ["AuthKitClock"], swiftSettings: strictSettings),
        .target(name: "PermissionCache", dependencies: ["AuthKitClock"], swiftSettings: strictSettings),
        .target(
            name: "AuthKit",
            dependencies: [
                "AuthKitPlatform", "AuthKitClock", "JWTCore", "TokenStore", "RateLimiter", "PermissionCache",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strictSettings
        ),

        // The framework integrations: empty modules unless their trait is enabled.
        .target(
            name: "AuthKitHummingbird",
            dependencies: [
                "AuthKit",
                .product(name: "Hummingbird", package: "hummingbird", condition: hummingbird),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth", condition: hummingbird),
                .product(name: "HTTPTypes", package: "swift-http-types", condition: hummingbird),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "AuthKitVapor",
            dependencies: [
                "AuthKit",
                .product(name: "Vapor", package: "vapor", condition: vapor),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "AuthKitConfig",
            dependencies: [
                "AuthKit", "AuthKitRedis", "RedisClient",
                .product(name: "Configuration", package: "swift-configuration", condition: configuration),
                .product(name: "SystemPackage", package: "swift-system", condition: configuration),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "AuthKitRedis",
            dependencies: [
                "AuthKit", "AuthKitClock", "AuthKitPlatform", "RedisClient", "TokenStore", "RateLimiter",
                "PermissionCache",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "AuthKitTesting",
            dependencies: [
                "AuthKit", "AuthKitPlatform", "AuthKitClock", "TokenStore", "RateLimiter", "PermissionCache",
            ],
            swiftSettings: strictSettings
        ),

        // Executables a user runs.
        .executableTarget(
            name: "authkit",
            dependencies: [
                "JWTCore", "AuthKitRedis", "RedisClient", "TokenStore", "RateLimiter", "PermissionCache",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Examples/authkit",
            swiftSettings: strictSettings
        ),

        .executableTarget(
            name: "authkit-demo",
            dependencies: [
                "AuthKit", "AuthKitRedis", "RedisClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Examples/authkit-demo",
            swiftSettings: strictSettings
        ),

        // Tests.
        .testTarget(
            name: "JWTCoreTests",
            dependencies: [
                "JWTCore", "AuthKitClock", "AuthKitTesting",
                .product(name: "InMemoryLogging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "AuthKitClockTests", dependencies: ["AuthKitClock"], swiftSettings: strictSettings),
        .testTarget(
            name: "CLITests",
            dependencies: ["AuthKitTesting", "AuthKitRedis", "RedisClient", "TokenStore"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "RedisClientTests",
            dependencies: [
                "RedisClient", "AuthKitTesting",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "TokenStoreTests",
            dependencies: ["TokenStore", "AuthKitTesting", "AuthKitClock"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "RateLimiterTests",
            dependencies: ["RateLimiter", "AuthKitTesting"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PermissionCacheTests",
            dependencies: ["PermissionCache", "AuthKitTesting"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "AuthKitRedisTests",
            dependencies: ["AuthKitRedis", "AuthKit", "RedisClient", "TokenStore", "AuthKitTesting", "AuthKitClock"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "FaultTests",
            dependencies: [
                "AuthKit", "AuthKitRedis", "RedisClient", "AuthKitTesting",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "AuthKitHummingbirdTests",
            dependencies: [
                "AuthKitHummingbird", "AuthKit", "AuthKitRedis", "AuthKitTesting",
                .product(name: "HummingbirdTesting", package: "hummingbird", condition: hummingbird),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth", condition: hummingbird),
                .product(name: "HTTPTypes", package: "swift-http-types", condition: hummingbird),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "AuthKitVaporTests",
            dependencies: [
                "AuthKitVapor", "AuthKit", "AuthKitRedis", "AuthKitTesting",
                .product(name: "VaporTesting", package: "vapor", condition: vapor),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "AuthKitConfigTests",
            dependencies: [
                "AuthKitConfig", "AuthKit", "AuthKitRedis", "RedisClient", "AuthKitTesting",
                .product(name: "Configuration", package: "swift-configuration", condition: configuration),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "AuthKitTests",
            dependencies: [
                "AuthKit", "AuthKitTesting", "AuthKitClock",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "InMemoryLogging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
