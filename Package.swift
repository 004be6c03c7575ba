// swift-tools-version:6.1
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "AuthKit",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "JWTCore", targets: ["JWTCore"]),
        .library(name: "AuthKitClock", targets: ["AuthKitClock"]),
        .library(name: "AuthKitTesting", targets: ["AuthKitTesting"]),
        .library(name: "TokenStore", targets: ["TokenStore"]),
        .library(name: "RedisClient", targets: ["RedisClient"]),
        .library(name: "AuthKitRedis", targets: ["AuthKitRedis"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
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
        .target(name: "AuthKitClock", swiftSettings: strictSettings),
        .target(name: "AuthKitTesting", dependencies: ["AuthKitClock", "TokenStore"], swiftSettings: strictSettings),
        .target(
            name: "JWTCore",
            dependencies: ["CAuthKitOpenSSL", "AuthKitClock"],
            swiftSettings: strictSettings
        ),
        .target(name: "TokenStore", dependencies: ["AuthKitClock"], swiftSettings: strictSettings),
        .testTarget(
            name: "TokenStoreTests",
            dependencies: ["TokenStore", "AuthKitTesting", "AuthKitClock"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "RedisClient",
            dependencies: [
                "CAuthKitHiredis",
                "CAuthKitOpenSSL",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "AuthKitRedis",
            dependencies: [
                "RedisClient", "TokenStore", "AuthKitClock", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "AuthKitRedisTests",
            dependencies: ["AuthKitRedis", "RedisClient", "TokenStore", "AuthKitTesting", "AuthKitClock"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "RedisClientTests",
            dependencies: ["RedisClient", "AuthKitTesting"],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
