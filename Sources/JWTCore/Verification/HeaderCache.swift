import AuthKitPlatform
import Synchronization

/// The last few header segments a verifier accepted, with what they parsed to.
///
/// Tokens from one issuer carry a handful of distinct header segments (one per signing key), and whether a header
/// passes depends only on its bytes and the verifier's immutable policy. Remembering accepted segments skips the
/// decode, the JSON parse, the `typ` comparison and the algorithm lookup, which were about a sixth of a verify.
/// Only accepted headers are stored, so a refused header is refused again in full each time; the signature,
/// the key choice by `kid` and the claims are still checked on every call. The cache is small and bounded: a
/// flood of distinct headers only costs its sender the uncached path.
final class HeaderCache: Sendable {
    struct Entry: Sendable {
        let segment: [UInt8]
        let header: JWTHeader
        let algorithm: JWTAlgorithm
    }

    private struct State {
        var entries: [Entry] = []
        var next = 0
    }

    /// How many segments are kept: a few keys in rotation, each with its header.
    static let capacity = 8
    /// Longer segments are not kept (real headers are well under 200 bytes).
    static let maxSegmentLength = 512

    private let state = Mutex(State())
    /// Orders an inserted header's construction before its use by a thread that finds it, in a way ThreadSanitizer
    /// sees: `Mutex` hands its lock over through the kernel, invisibly to it (Tests/sanitizers/tsan.supp), so a
    /// header built on one thread and read on another after a lookup was reported as a race on its immutable storage.
    /// Every insert increments it (a release, before the entry is stored) and every hit reads it (an acquire).
    private let published = Atomic<Int>(0)

    init() {}

    /// The accepted header whose segment is exactly `segment`, and its algorithm, if it is cached.
    func lookup(_ segment: UnsafeRawBufferPointer) -> (header: JWTHeader, algorithm: JWTAlgorithm)? {
        guard segment.count <= Self.maxSegmentLength, let probe = segment.baseAddress else { return nil }
        return state.withLock { state -> (header: JWTHeader, algorithm: JWTAlgorithm)? in
            for entry in state.entries where entry.segment.count == segment.count {
                let same = entry.segment.withUnsafeBytes { stored -> Bool in
                    guard let base = stored.baseAddress else { return false }
                    return Platform.bytesEqual(base, probe, count: segment.count)
                }
                if same { return (entry.header, entry.algorithm) }
            }
            return nil
        }.map { found in
            _ = published.load(ordering: .acquiring)
            return found
        }
    }

    /// Remembers an accepted header, replacing the oldest entry when full.
    func insert(_ segment: UnsafeRawBufferPointer, header: JWTHeader, algorithm: JWTAlgorithm) {
        guard segment.count <= Self.maxSegmentLength else { return }
        let entry = Entry(segment: Array(segment), header: header, algorithm: algorithm)
        published.wrappingAdd(1, ordering: .releasing)
        state.withLock { state in
            if state.entries.count < Self.capacity {
                state.entries.append(entry)
            } else {
                state.entries[state.next] = entry
                state.next = (state.next + 1) % Self.capacity
            }
        }
    }

    /// How many headers are cached (for tests).
    var count: Int { state.withLock { $0.entries.count } }
}
