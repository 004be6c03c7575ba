import AuthKitPlatform
public import RedisClient

/// The Redis URL of an AuthKit deployment and where it came from: the one place that names the sources a URL may
/// come from and their order, for AuthKit's executables and for AuthKitConfig alike.
///
/// ``resolve(flag:fileFlag:environment:)`` takes the first source that is set, in this order:
/// 1. `--redis URL` — handy locally, but any user of the machine sees it in `ps`;
/// 2. `--redis-file PATH` — a file holding the URL;
/// 3. `AUTHKIT_REDIS_URL` (``urlVariable``);
/// 4. `AUTHKIT_REDIS_URL_FILE` (``urlFileVariable``) — a file holding the URL, such as a mounted secret.
///
/// An empty flag or variable counts as not set. A file holds the URL alone (surrounding white space and line breaks
/// are dropped). Every error names the source and never shows the URL's credentials; log ``description``, never
/// ``url``.
public struct RedisURLSetting: Sendable, CustomStringConvertible {
    /// `AUTHKIT_REDIS_URL`: the environment variable holding the Redis URL.
    public static let urlVariable = "AUTHKIT_REDIS_URL"
    /// `AUTHKIT_REDIS_URL_FILE`: the environment variable naming a file that holds the Redis URL.
    public static let urlFileVariable = "AUTHKIT_REDIS_URL_FILE"
    /// The largest URL file read, in bytes.
    static let maxFileSize = 64 * 1024

    /// One place a URL may come from: a URL or the path of a file holding one, and the name errors give it.
    public struct Source: Sendable {
        let name: String
        let value: String?
        let isFile: Bool

        /// The URL `value` (nil or empty: not set), called `name` in errors.
        public static func url(_ value: String?, from name: String) -> Source {
            Source(name: name, value: value, isFile: false)
        }

        /// The file at `path` (nil or empty: not set), which holds the URL, called `name` in errors.
        public static func file(_ path: String?, from name: String) -> Source {
            Source(name: name, value: path, isFile: true)
        }
    }

    /// The source the URL came from: a flag or variable name, with the file's path for a file.
    public let source: String
    /// The URL as given. It may hold a password: pass it to a client, never to a log.
    public let url: String
    /// The parsed URL.
    public let configuration: RedisConfiguration

    /// The URL with its password masked, and its source: what a log line may show.
    public var description: String { "\(configuration) (from \(source))" }

    /// The URL of the first source set among `--redis` (`flag`), `--redis-file` (`fileFlag`), ``urlVariable``
    /// and ``urlFileVariable`` (looked up in `environment`), or nil when none is.
    ///
    /// Throws `RedisError.invalidConfiguration` naming the source when its file cannot be read or is empty,
    /// or its URL is invalid.
    public static func resolve(
        flag: String?,
        fileFlag: String?,
        environment: [String: String]
    ) throws(RedisError) -> RedisURLSetting? {
        try resolve([
            .url(flag, from: "--redis"),
            .file(fileFlag, from: "--redis-file"),
            .url(environment[urlVariable], from: urlVariable),
            .file(environment[urlFileVariable], from: urlFileVariable),
        ])
    }

    /// The URL of the first of `sources` that is set, or nil when none is; the errors are those of
    /// ``resolve(flag:fileFlag:environment:)``.
    public static func resolve(_ sources: [Source]) throws(RedisError) -> RedisURLSetting? {
        guard let source = sources.first(where: { !($0.value ?? "").isEmpty }), let value = source.value else {
            return nil
        }
        var url = value
        var origin = source.name
        if source.isFile {
            origin = "\(source.name) (file \(value))"
            guard let bytes = Platform.readFile(value, limit: maxFileSize + 1) else {
                throw RedisError(.invalidConfiguration, "\(origin): the file cannot be read")
            }
            guard bytes.count <= maxFileSize else {
                throw RedisError(.invalidConfiguration, "\(origin): the file is larger than \(maxFileSize) bytes")
            }
            url = String(decoding: bytes, as: UTF8.self).trimmingWhiteSpace()
            guard !url.isEmpty else {
                throw RedisError(.invalidConfiguration, "\(origin): the file holds no URL")
            }
        }
        do {
            return RedisURLSetting(source: origin, url: url, configuration: try RedisConfiguration(url: url))
        } catch {
            throw RedisError(error.code, "\(origin): \(error.message)")
        }
    }
}

extension String {
    /// The text without leading and trailing spaces, tabs and line breaks.
    fileprivate func trimmingWhiteSpace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0.isNewline }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
