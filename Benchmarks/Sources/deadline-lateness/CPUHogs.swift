import Foundation
import Synchronization

/// Load beside the measured clients: threads that spin (the machine is saturated) and tasks on Swift's cooperative
/// pool that compute in slices (the pool's threads are busy, as when CPU-heavy tests run beside).
final class CPUHogs: Sendable {
    private let stopped = Atomic<Bool>(false)
    private let sink = Atomic<UInt64>(0)

    /// Starts `threads` spinning threads and `tasks` pool tasks computing `slice` at a time.
    init(threads: Int, tasks: Int, slice: Duration) {
        for _ in 0..<threads {
            Thread.detachNewThread { [self] in
                var value: UInt64 = 1
                while !stopped.load(ordering: .relaxed) {
                    for _ in 0..<100_000 { value = value &* 6_364_136_223_846_793_005 &+ 1 }
                }
                sink.wrappingAdd(value, ordering: .relaxed)
            }
        }
        let sliceNanoseconds =
            UInt64(slice.components.seconds) * 1_000_000_000
            + UInt64(slice.components.attoseconds / 1_000_000_000)
        for _ in 0..<tasks {
            Task { [self] in
                var value: UInt64 = 1
                while !stopped.load(ordering: .relaxed) {
                    let end = nanosecondsNow() + sliceNanoseconds
                    while nanosecondsNow() < end {
                        for _ in 0..<1000 { value = value &* 6_364_136_223_846_793_005 &+ 1 }
                    }
                    await Task.yield()
                }
                sink.wrappingAdd(value, ordering: .relaxed)
            }
        }
    }

    func stop() {
        stopped.store(true, ordering: .relaxed)
    }
}
