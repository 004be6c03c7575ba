// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "AuthKitBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "AuthKit", path: "..")
    ],
    targets: [
        .executableTarget(
            name: "authkit-bench",
            dependencies: [
                .product(name: "RedisClient", package: "AuthKit"),
                .product(name: "RateLimiter", package: "AuthKit"),
                .product(name: "AuthKitRedis", package: "AuthKit"),
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
