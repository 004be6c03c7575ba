/// What a login tells about the device it came from, shown back to the user in a "my devices" list.
public struct DeviceInfo: Hashable, Sendable {
    /// A display name for the device, such as "Pixel 9" or "Firefox on Linux".
    public var name: String
    /// The client's IP address as text, as the application saw it.
    public var ipAddress: String
    /// The client's `User-Agent` header.
    public var userAgent: String

    /// Creates a device description; every field may be empty.
    public init(name: String = "", ipAddress: String = "", userAgent: String = "") {
        self.name = name
        self.ipAddress = ipAddress
        self.userAgent = userAgent
    }

    /// This description with each field cut to 512 UTF-8 bytes.
    public var truncated: DeviceInfo {
        DeviceInfo(
            name: TokenStoreLimits.truncatedDeviceField(name),
            ipAddress: TokenStoreLimits.truncatedDeviceField(ipAddress),
            userAgent: TokenStoreLimits.truncatedDeviceField(userAgent)
        )
    }
}
