// swift-tools-version:6.1
import PackageDescription

// `authkit-soak`: a long mixed load against a redis-server it starts, watching for unbounded growth (`make soak`).
let package = Package(
    name: "AuthKitSoak",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "AuthKit", path: ".."),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .executableTarget(
            name: "authkit-soak",
            dependencies: [
                .product(name: "AuthKit", package: "AuthKit"),
                .product(name: "AuthKitRedis", package: "AuthKit"),
                .product(name: "RedisClient", package: "AuthKit"),
                .product(name: "AuthKitTesting", package: "AuthKit"),
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
