// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "AuthKitBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "AuthKit", path: ".."),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .executableTarget(
            name: "authkit-bench",
            dependencies: [
                .product(name: "RedisClient", package: "AuthKit"),
                .product(name: "RateLimiter", package: "AuthKit"),
                .product(name: "AuthKitRedis", package: "AuthKit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: [
                .enableUpcomingFeature("ExistentialAny"),
                .enableUpcomingFeature("MemberImportVisibility"),
                .enableUpcomingFeature("InternalImportsByDefault"),
            ]
        )
    ],
    swiftLanguageModes: [.v6]
)
